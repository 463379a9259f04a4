//! Route table: method + path template → handler.

use http::Method;
use percent_encoding::percent_decode_str;

use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::ApiResult;
use crate::resources::{agents, environments, events, models, sessions, threads};
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
    ThreadList,
    ThreadRetrieve,
    ThreadArchive,
    ThreadEvents,
    ThreadStream,
    ModelList,
}

/// `(method, template, route)`; templates use `{name}` for one path segment.
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
    ("GET", "/sessions/{session_id}/threads", Route::ThreadList),
    ("GET", "/sessions/{session_id}/threads/{thread_id}", Route::ThreadRetrieve),
    ("POST", "/sessions/{session_id}/threads/{thread_id}/archive", Route::ThreadArchive),
    ("GET", "/sessions/{session_id}/threads/{thread_id}/events", Route::ThreadEvents),
    ("GET", "/sessions/{session_id}/threads/{thread_id}/stream", Route::ThreadStream),
    ("GET", "/models", Route::ModelList),
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

/// Runs the handler of a route.
pub fn dispatch(route: Route, ctx: &Ctx) -> ApiResult<Reply> {
    match route {
        Route::AgentCreate => agents::create(ctx),
        Route::AgentList => agents::list(ctx),
        Route::AgentRetrieve => agents::retrieve(ctx),
        Route::AgentUpdate => agents::update(ctx),
        Route::AgentArchive => agents::archive(ctx),
        Route::AgentVersions => agents::versions(ctx),
        Route::EnvCreate => environments::create(ctx),
        Route::EnvList => environments::list(ctx),
        Route::EnvRetrieve => environments::retrieve(ctx),
        Route::EnvUpdate => environments::update(ctx),
        Route::EnvDelete => environments::delete(ctx),
        Route::EnvArchive => environments::archive(ctx),
        Route::SessionCreate => sessions::create(ctx),
        Route::SessionList => sessions::list(ctx),
        Route::SessionRetrieve => sessions::retrieve(ctx),
        Route::SessionUpdate => sessions::update(ctx),
        Route::SessionDelete => sessions::delete(ctx),
        Route::SessionArchive => sessions::archive(ctx),
        Route::SessionCancel => sessions::cancel(ctx),
        Route::EventSend => events::send(ctx),
        Route::EventList | Route::ThreadEvents => events::list(ctx),
        Route::EventStream | Route::ThreadStream => stream::open(ctx),
        Route::ThreadList => threads::list(ctx),
        Route::ThreadRetrieve => threads::retrieve(ctx),
        Route::ThreadArchive => threads::archive(ctx),
        Route::ModelList => models::list(ctx),
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
    }
}
