//! Route table: method + path template → handler.

use http::Method;
use percent_encoding::percent_decode_str;

use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::ApiResult;
use crate::resources::{
    agents, credentials, deployment_runs, deployments, dreams, environments, events, files, memories, memory,
    memory_versions, models, session_resources, sessions, skills, threads, vaults, work,
};
use crate::stream;

/// Every implemented operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Route {
    AgentCreate,
    AgentList,
    AgentRetrieve,
    AgentUpdate,
    AgentArchive,
    AgentVersions,
    EnvCreate,
    EnvList,
    EnvRetrieve,
    EnvUpdate,
    EnvDelete,
    EnvArchive,
    WorkList,
    WorkPoll,
    WorkStats,
    WorkRetrieve,
    WorkUpdate,
    WorkAck,
    WorkHeartbeat,
    WorkStop,
    SessionCreate,
    SessionList,
    SessionRetrieve,
    SessionUpdate,
    SessionDelete,
    SessionArchive,
    SessionCancel,
    EventSend,
    EventList,
    EventStream,
    ResourceAdd,
    ResourceList,
    ResourceRetrieve,
    ResourceUpdate,
    ResourceDelete,
    ThreadList,
    ThreadRetrieve,
    ThreadArchive,
    ThreadEvents,
    ThreadStream,
    FileUpload,
    FileList,
    FileRetrieve,
    FileDelete,
    FileContent,
    VaultCreate,
    VaultList,
    VaultRetrieve,
    VaultDelete,
    VaultArchive,
    CredentialCreate,
    CredentialList,
    CredentialRetrieve,
    CredentialUpdate,
    CredentialDelete,
    CredentialArchive,
    CredentialValidate,
    SkillCreate,
    SkillList,
    SkillRetrieve,
    SkillDelete,
    SkillVersionCreate,
    SkillVersionList,
    SkillVersionRetrieve,
    SkillVersionDelete,
    SkillVersionContent,
    MemoryStoreCreate,
    MemoryStoreList,
    MemoryStoreRetrieve,
    MemoryStoreUpdate,
    MemoryStoreDelete,
    MemoryStoreArchive,
    MemoryCreate,
    MemoryList,
    MemoryRetrieve,
    MemoryUpdate,
    MemoryDelete,
    MemoryVersionList,
    MemoryVersionRetrieve,
    MemoryVersionRedact,
    ModelList,
    DeploymentCreate,
    DeploymentList,
    DeploymentRetrieve,
    DeploymentUpdate,
    DeploymentArchive,
    DeploymentPause,
    DeploymentUnpause,
    DeploymentRun,
    DeploymentRunsList,
    DeploymentRunsRetrieve,
    RunList,
    RunRetrieve,
    DreamCreate,
    DreamList,
    DreamRetrieve,
    DreamArchive,
    DreamCancel,
}

/// `(method, template, route)`; templates use `{name}` for one path segment.
/// Literal segments must precede `{param}` siblings (`work/poll` before `work/{work_id}`).
pub const ROUTES: &[(&str, &str, Route)] = &[
    ("POST", "/agents", Route::AgentCreate),
    ("GET", "/agents", Route::AgentList),
    ("GET", "/agents/{agent_id}", Route::AgentRetrieve),
    ("POST", "/agents/{agent_id}", Route::AgentUpdate),
    ("PUT", "/agents/{agent_id}", Route::AgentUpdate),
    ("POST", "/agents/{agent_id}/archive", Route::AgentArchive),
    ("GET", "/agents/{agent_id}/versions", Route::AgentVersions),
    ("POST", "/environments", Route::EnvCreate),
    ("GET", "/environments", Route::EnvList),
    ("GET", "/environments/{environment_id}", Route::EnvRetrieve),
    ("POST", "/environments/{environment_id}", Route::EnvUpdate),
    ("DELETE", "/environments/{environment_id}", Route::EnvDelete),
    ("POST", "/environments/{environment_id}/archive", Route::EnvArchive),
    ("GET", "/environments/{environment_id}/work", Route::WorkList),
    ("GET", "/environments/{environment_id}/work/poll", Route::WorkPoll),
    ("GET", "/environments/{environment_id}/work/stats", Route::WorkStats),
    ("GET", "/environments/{environment_id}/work/{work_id}", Route::WorkRetrieve),
    ("POST", "/environments/{environment_id}/work/{work_id}", Route::WorkUpdate),
    ("POST", "/environments/{environment_id}/work/{work_id}/ack", Route::WorkAck),
    ("POST", "/environments/{environment_id}/work/{work_id}/heartbeat", Route::WorkHeartbeat),
    ("POST", "/environments/{environment_id}/work/{work_id}/stop", Route::WorkStop),
    ("POST", "/sessions", Route::SessionCreate),
    ("GET", "/sessions", Route::SessionList),
    ("GET", "/sessions/{session_id}", Route::SessionRetrieve),
    ("POST", "/sessions/{session_id}", Route::SessionUpdate),
    ("DELETE", "/sessions/{session_id}", Route::SessionDelete),
    ("POST", "/sessions/{session_id}/archive", Route::SessionArchive),
    ("POST", "/sessions/{session_id}/cancel", Route::SessionCancel),
    ("POST", "/sessions/{session_id}/events", Route::EventSend),
    ("GET", "/sessions/{session_id}/events", Route::EventList),
    ("GET", "/sessions/{session_id}/events/stream", Route::EventStream),
    ("POST", "/sessions/{session_id}/resources", Route::ResourceAdd),
    ("GET", "/sessions/{session_id}/resources", Route::ResourceList),
    ("GET", "/sessions/{session_id}/resources/{resource_id}", Route::ResourceRetrieve),
    ("POST", "/sessions/{session_id}/resources/{resource_id}", Route::ResourceUpdate),
    ("DELETE", "/sessions/{session_id}/resources/{resource_id}", Route::ResourceDelete),
    ("GET", "/sessions/{session_id}/threads", Route::ThreadList),
    ("GET", "/sessions/{session_id}/threads/{thread_id}", Route::ThreadRetrieve),
    ("POST", "/sessions/{session_id}/threads/{thread_id}/archive", Route::ThreadArchive),
    ("GET", "/sessions/{session_id}/threads/{thread_id}/events", Route::ThreadEvents),
    ("GET", "/sessions/{session_id}/threads/{thread_id}/stream", Route::ThreadStream),
    ("POST", "/files", Route::FileUpload),
    ("GET", "/files", Route::FileList),
    ("GET", "/files/{file_id}", Route::FileRetrieve),
    ("DELETE", "/files/{file_id}", Route::FileDelete),
    ("GET", "/files/{file_id}/content", Route::FileContent),
    ("POST", "/vaults", Route::VaultCreate),
    ("GET", "/vaults", Route::VaultList),
    ("GET", "/vaults/{vault_id}", Route::VaultRetrieve),
    ("DELETE", "/vaults/{vault_id}", Route::VaultDelete),
    ("POST", "/vaults/{vault_id}/archive", Route::VaultArchive),
    ("POST", "/vaults/{vault_id}/credentials", Route::CredentialCreate),
    ("GET", "/vaults/{vault_id}/credentials", Route::CredentialList),
    ("GET", "/vaults/{vault_id}/credentials/{credential_id}", Route::CredentialRetrieve),
    ("POST", "/vaults/{vault_id}/credentials/{credential_id}", Route::CredentialUpdate),
    ("DELETE", "/vaults/{vault_id}/credentials/{credential_id}", Route::CredentialDelete),
    ("POST", "/vaults/{vault_id}/credentials/{credential_id}/archive", Route::CredentialArchive),
    ("POST", "/vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate", Route::CredentialValidate),
    ("POST", "/skills", Route::SkillCreate),
    ("GET", "/skills", Route::SkillList),
    ("GET", "/skills/{skill_id}", Route::SkillRetrieve),
    ("DELETE", "/skills/{skill_id}", Route::SkillDelete),
    ("POST", "/skills/{skill_id}/versions", Route::SkillVersionCreate),
    ("GET", "/skills/{skill_id}/versions", Route::SkillVersionList),
    ("GET", "/skills/{skill_id}/versions/{version}", Route::SkillVersionRetrieve),
    ("DELETE", "/skills/{skill_id}/versions/{version}", Route::SkillVersionDelete),
    ("GET", "/skills/{skill_id}/versions/{version}/content", Route::SkillVersionContent),
    ("POST", "/memory_stores", Route::MemoryStoreCreate),
    ("GET", "/memory_stores", Route::MemoryStoreList),
    ("GET", "/memory_stores/{memory_store_id}", Route::MemoryStoreRetrieve),
    ("POST", "/memory_stores/{memory_store_id}", Route::MemoryStoreUpdate),
    ("DELETE", "/memory_stores/{memory_store_id}", Route::MemoryStoreDelete),
    ("POST", "/memory_stores/{memory_store_id}/archive", Route::MemoryStoreArchive),
    ("POST", "/memory_stores/{memory_store_id}/memories", Route::MemoryCreate),
    ("GET", "/memory_stores/{memory_store_id}/memories", Route::MemoryList),
    ("GET", "/memory_stores/{memory_store_id}/memories/{memory_id}", Route::MemoryRetrieve),
    ("POST", "/memory_stores/{memory_store_id}/memories/{memory_id}", Route::MemoryUpdate),
    ("DELETE", "/memory_stores/{memory_store_id}/memories/{memory_id}", Route::MemoryDelete),
    ("GET", "/memory_stores/{memory_store_id}/memory_versions", Route::MemoryVersionList),
    ("GET", "/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}", Route::MemoryVersionRetrieve),
    ("POST", "/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact", Route::MemoryVersionRedact),
    ("GET", "/models", Route::ModelList),
    ("POST", "/deployments", Route::DeploymentCreate),
    ("GET", "/deployments", Route::DeploymentList),
    ("GET", "/deployments/{deployment_id}", Route::DeploymentRetrieve),
    ("POST", "/deployments/{deployment_id}", Route::DeploymentUpdate),
    ("POST", "/deployments/{deployment_id}/archive", Route::DeploymentArchive),
    ("POST", "/deployments/{deployment_id}/pause", Route::DeploymentPause),
    ("POST", "/deployments/{deployment_id}/unpause", Route::DeploymentUnpause),
    ("POST", "/deployments/{deployment_id}/run", Route::DeploymentRun),
    ("GET", "/deployments/{deployment_id}/runs", Route::DeploymentRunsList),
    ("GET", "/deployments/{deployment_id}/runs/{run_id}", Route::DeploymentRunsRetrieve),
    ("GET", "/deployment_runs", Route::RunList),
    ("GET", "/deployment_runs/{deployment_run_id}", Route::RunRetrieve),
    ("POST", "/dreams", Route::DreamCreate),
    ("GET", "/dreams", Route::DreamList),
    ("GET", "/dreams/{dream_id}", Route::DreamRetrieve),
    ("POST", "/dreams/{dream_id}/archive", Route::DreamArchive),
    ("POST", "/dreams/{dream_id}/cancel", Route::DreamCancel),
];

/// Result of matching a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    /// A route matched.
    Found {
        /// The route.
        route: Route,
        /// Its template (stats key).
        template: &'static str,
        /// Decoded path parameters.
        params: Vec<String>,
    },
    /// The path exists but not for this method.
    MethodNotAllowed {
        /// The template.
        template: &'static str,
        /// Methods that would match.
        allowed: Vec<&'static str>,
    },
    /// Nothing matched.
    NotFound,
}

/// Matches `path` (below the API prefix).
pub fn match_route(method: &Method, path: &str) -> Match {
    let path = if path.len() > 1 { path.strip_suffix('/').unwrap_or(path) } else { path };
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let mut allowed = Vec::new();
    let mut found_template = None;
    for (m, template, route) in ROUTES {
        let tsegs: Vec<&str> = template.split('/').skip(1).collect();
        if tsegs.len() != segs.len() {
            continue;
        }
        let mut params = Vec::new();
        let ok = tsegs.iter().zip(&segs).all(|(t, s)| {
            if t.starts_with('{') {
                match percent_decode_str(s).decode_utf8() {
                    Ok(d) if !d.is_empty() => {
                        params.push(d.into_owned());
                        true
                    }
                    _ => false,
                }
            } else {
                t == s
            }
        });
        if !ok {
            continue;
        }
        if *m == method.as_str() {
            return Match::Found { route: *route, template, params };
        }
        allowed.push(*m);
        found_template = Some(*template);
    }
    match found_template {
        Some(template) => Match::MethodNotAllowed { template, allowed },
        None => Match::NotFound,
    }
}

/// Runs the handler of a route (only the work poll actually awaits).
pub async fn dispatch(route: Route, ctx: &Ctx) -> ApiResult<Reply> {
    use Route::*;
    match route {
        AgentCreate => agents::create(ctx),
        AgentList => agents::list(ctx),
        AgentRetrieve => agents::retrieve(ctx),
        AgentUpdate => agents::update(ctx),
        AgentArchive => agents::archive(ctx),
        AgentVersions => agents::versions(ctx),
        EnvCreate => environments::create(ctx),
        EnvList => environments::list(ctx),
        EnvRetrieve => environments::retrieve(ctx),
        EnvUpdate => environments::update(ctx),
        EnvDelete => environments::delete(ctx),
        EnvArchive => environments::archive(ctx),
        WorkList => work::list(ctx),
        WorkPoll => work::poll(ctx).await,
        WorkStats => work::stats(ctx),
        WorkRetrieve => work::retrieve(ctx),
        WorkUpdate => work::update(ctx),
        WorkAck => work::ack(ctx),
        WorkHeartbeat => work::heartbeat(ctx),
        WorkStop => work::stop(ctx),
        SessionCreate => sessions::create(ctx),
        SessionList => sessions::list(ctx),
        SessionRetrieve => sessions::retrieve(ctx),
        SessionUpdate => sessions::update(ctx),
        SessionDelete => sessions::delete(ctx),
        SessionArchive => sessions::archive(ctx),
        SessionCancel => sessions::cancel(ctx),
        EventSend => events::send(ctx),
        EventList | ThreadEvents => events::list(ctx),
        EventStream | ThreadStream => stream::open(ctx),
        ResourceAdd => session_resources::add(ctx),
        ResourceList => session_resources::list(ctx),
        ResourceRetrieve => session_resources::retrieve(ctx),
        ResourceUpdate => session_resources::update(ctx),
        ResourceDelete => session_resources::delete(ctx),
        ThreadList => threads::list(ctx),
        ThreadRetrieve => threads::retrieve(ctx),
        ThreadArchive => threads::archive(ctx),
        FileUpload => files::upload(ctx),
        FileList => files::list(ctx),
        FileRetrieve => files::retrieve(ctx),
        FileDelete => files::delete(ctx),
        FileContent => files::content(ctx),
        VaultCreate => vaults::create(ctx),
        VaultList => vaults::list(ctx),
        VaultRetrieve => vaults::retrieve(ctx),
        VaultDelete => vaults::delete(ctx),
        VaultArchive => vaults::archive(ctx),
        CredentialCreate => credentials::create(ctx),
        CredentialList => credentials::list(ctx),
        CredentialRetrieve => credentials::retrieve(ctx),
        CredentialUpdate => credentials::update(ctx),
        CredentialDelete => credentials::delete(ctx),
        CredentialArchive => credentials::archive(ctx),
        CredentialValidate => credentials::mcp_oauth_validate(ctx),
        SkillCreate => skills::create(ctx),
        SkillList => skills::list(ctx),
        SkillRetrieve => skills::retrieve(ctx),
        SkillDelete => skills::delete(ctx),
        SkillVersionCreate => skills::create_version(ctx),
        SkillVersionList => skills::list_versions(ctx),
        SkillVersionRetrieve => skills::retrieve_version(ctx),
        SkillVersionDelete => skills::delete_version(ctx),
        SkillVersionContent => skills::version_content(ctx),
        MemoryStoreCreate => memory::create(ctx),
        MemoryStoreList => memory::list(ctx),
        MemoryStoreRetrieve => memory::retrieve(ctx),
        MemoryStoreUpdate => memory::update(ctx),
        MemoryStoreDelete => memory::delete(ctx),
        MemoryStoreArchive => memory::archive(ctx),
        MemoryCreate => memories::create(ctx),
        MemoryList => memories::list(ctx),
        MemoryRetrieve => memories::retrieve(ctx),
        MemoryUpdate => memories::update(ctx),
        MemoryDelete => memories::delete(ctx),
        MemoryVersionList => memory_versions::list(ctx),
        MemoryVersionRetrieve => memory_versions::retrieve(ctx),
        MemoryVersionRedact => memory_versions::redact(ctx),
        ModelList => models::list(ctx),
        DeploymentCreate => deployments::create(ctx),
        DeploymentList => deployments::list(ctx),
        DeploymentRetrieve => deployments::retrieve(ctx),
        DeploymentUpdate => deployments::update(ctx),
        DeploymentArchive => deployments::archive(ctx),
        DeploymentPause => deployments::pause(ctx),
        DeploymentUnpause => deployments::unpause(ctx),
        DeploymentRun => deployment_runs::run(ctx),
        DeploymentRunsList => deployment_runs::list_for_deployment(ctx),
        DeploymentRunsRetrieve => deployment_runs::retrieve_for_deployment(ctx),
        RunList => deployment_runs::list(ctx),
        RunRetrieve => deployment_runs::retrieve(ctx),
        DreamCreate => dreams::create(ctx),
        DreamList => dreams::list(ctx),
        DreamRetrieve => dreams::retrieve(ctx),
        DreamArchive => dreams::archive(ctx),
        DreamCancel => dreams::cancel(ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_templates() {
        match match_route(&Method::GET, "/sessions/sess_1/threads/sthr_2/stream") {
            Match::Found { route, params, template } => {
                assert_eq!(route, Route::ThreadStream);
                assert_eq!(params, vec!["sess_1", "sthr_2"]);
                assert_eq!(template, "/sessions/{session_id}/threads/{thread_id}/stream");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(match_route(&Method::PATCH, "/agents/a"), Match::MethodNotAllowed { .. }));
        assert_eq!(match_route(&Method::GET, "/nope"), Match::NotFound);
        assert!(matches!(match_route(&Method::GET, "/agents/"), Match::Found { route: Route::AgentList, .. }));
        assert!(matches!(
            match_route(&Method::GET, "/environments/e/work/poll"),
            Match::Found { route: Route::WorkPoll, .. }
        ));
        assert!(matches!(
            match_route(&Method::GET, "/environments/e/work/w1"),
            Match::Found { route: Route::WorkRetrieve, .. }
        ));
    }
}
