//! Skills and skill versions (docs/api-contract.md §3.8, §4.9), and skill bundles.
//!
//! A bundle comes from repeated multipart `files` parts whose filenames are
//! relative paths (`my-skill/SKILL.md`), or from one `file` part (or a `files`
//! part) holding a `.zip`. Paths are normalised (leading `/` and `./`
//! dropped; empty or `..` segments → 400). When every file shares one top-level
//! folder, that folder is the skill `directory` and `<dir>/SKILL.md` is
//! required; otherwise `SKILL.md` must be at the root and the directory is the
//! front-matter `name`. The YAML front matter gives `name`, `description` and
//! `version`; a front-matter `version` becomes the version string (duplicates
//! → 409), else the version is the creation time in epoch microseconds.

use serde_json::{json, Value};

use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::multipart::Form;
use crate::pagination::{list_reply, Order};
use crate::state::{AppState, Store};
use crate::validate::{none_or, Obj};

/// One version of a skill, with its files.
#[derive(Debug, Clone)]
pub struct SkillVersion {
    /// `skillver_…`.
    pub id: String,
    /// Version string.
    pub version: String,
    /// Front-matter `name`.
    pub name: String,
    /// Front-matter `description`.
    pub description: String,
    /// Top-level folder.
    pub directory: String,
    /// `(relative path, bytes)`.
    pub files: Vec<(String, Vec<u8>)>,
    /// Creation time.
    pub created_us: Micros,
}

/// A stored skill.
#[derive(Debug, Clone)]
pub struct Skill {
    /// `skill_…`.
    pub id: String,
    /// `display_title`.
    pub display_title: String,
    /// `source` (`custom` for uploads).
    pub source: String,
    /// `metadata`.
    pub metadata: Obj,
    /// Creation time.
    pub created_us: Micros,
    /// Last update.
    pub updated_us: Micros,
    /// Versions, oldest first.
    pub versions: Vec<SkillVersion>,
}

impl Skill {
    /// The Skill object.
    pub fn render(&self) -> Value {
        json!({
            "id": self.id, "type": "skill", "display_title": self.display_title,
            "latest_version": self.versions.last().map(|v| v.version.clone()),
            "source": self.source, "metadata": Value::Object(self.metadata.clone()),
            "created_at": format_rfc3339(self.created_us), "updated_at": format_rfc3339(self.updated_us),
        })
    }

    /// Renders one of its versions.
    pub fn render_version(&self, v: &SkillVersion) -> Value {
        json!({
            "id": v.id, "type": "skill_version", "skill_id": self.id, "version": v.version, "name": v.name,
            "description": v.description, "directory": v.directory, "created_at": format_rfc3339(v.created_us),
        })
    }

    /// Finds a version by version string, id, or `latest`.
    pub fn find_version(&self, key: &str) -> ApiResult<usize> {
        let pos = if key == "latest" {
            self.versions.len().checked_sub(1)
        } else {
            self.versions.iter().position(|v| v.version == key || v.id == key)
        };
        pos.ok_or_else(|| ApiError::not_found("Skill version", key))
    }

    /// Builds and appends a version from a bundle (409 on a duplicate version string).
    pub fn add_version(&mut self, st: &AppState, b: Bundle, now: Micros) -> ApiResult<&SkillVersion> {
        let version = match b.version {
            Some(v) if self.versions.iter().any(|x| x.version == v) => {
                return Err(
                    ApiError::conflict(format!("Skill '{}' already has a version '{v}'.", self.id)).with_param("files")
                )
            }
            Some(v) => v,
            None => {
                let mut n = now;
                while self.versions.iter().any(|x| x.version == n.to_string()) {
                    n += 1;
                }
                n.to_string()
            }
        };
        self.versions.push(SkillVersion {
            id: st.new_id(prefix::SKILL_VERSION),
            version,
            name: b.name,
            description: b.description,
            directory: b.directory,
            files: b.files,
            created_us: now,
        });
        self.updated_us = now;
        st.stats.count_objects("skill_version", 1);
        Ok(self.versions.last().expect("just pushed"))
    }
}

/// A validated upload.
#[derive(Debug)]
pub struct Bundle {
    /// Normalised `(path, bytes)`.
    pub files: Vec<(String, Vec<u8>)>,
    /// Top-level folder.
    pub directory: String,
    /// Front-matter `name`.
    pub name: String,
    /// Front-matter `description`.
    pub description: String,
    /// Front-matter `version`.
    pub version: Option<String>,
}

/// Reads the skill files of a multipart form.
pub fn bundle(form: &Form) -> ApiResult<Bundle> {
    let mut raw = Vec::new();
    let mut parts = form.all("files");
    if parts.is_empty() {
        parts = form.all("file");
    }
    if parts.is_empty() {
        return Err(ApiError::missing("files"));
    }
    for p in parts {
        let name = p.filename.clone().unwrap_or_default();
        let is_zip = crate::zip::looks_like_zip(&p.data)
            && (name.to_ascii_lowercase().ends_with(".zip")
                || p.content_type.as_deref().is_some_and(|c| c.contains("zip"))
                || p.name == "file");
        if is_zip {
            raw.extend(crate::zip::read(&p.data, &p.name)?);
        } else {
            if name.is_empty() {
                return Err(ApiError::param("files", "Every file part needs a filename (its path inside the skill)."));
            }
            raw.push((name, p.data.to_vec()));
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(raw.len());
    for (path, data) in raw {
        let norm = path.replace('\\', "/");
        let norm = norm.trim_start_matches("./").trim_start_matches('/');
        if norm.is_empty() || norm.split('/').any(|s| s.is_empty() || s == "..") {
            return Err(ApiError::param(
                "files",
                format!("Invalid file path '{path}': paths must be relative without empty or '..' segments."),
            ));
        }
        if files.iter().any(|(p, _)| p == norm) {
            return Err(ApiError::param("files", format!("Duplicate file path '{norm}'.")));
        }
        files.push((norm.to_string(), data));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let first = files[0].0.split('/').next().unwrap_or_default().to_string();
    let nested = files.iter().all(|(p, _)| p.contains('/') && p.split('/').next() == Some(first.as_str()));
    let is_skill_md = |p: &str, dir: Option<&str>| match dir {
        Some(d) => {
            p.strip_prefix(d).and_then(|r| r.strip_prefix('/')).is_some_and(|r| r.eq_ignore_ascii_case("SKILL.md"))
        }
        None => p.eq_ignore_ascii_case("SKILL.md"),
    };
    let dir = nested.then_some(first.as_str());
    let skill_md = files.iter().find(|(p, _)| is_skill_md(p, dir)).ok_or_else(|| {
        let where_ = dir.map(|d| format!("{d}/SKILL.md")).unwrap_or_else(|| "SKILL.md".into());
        ApiError::param("files", format!("A skill needs a SKILL.md file at the top of its directory ({where_})."))
    })?;
    let fm = front_matter(&String::from_utf8_lossy(&skill_md.1));
    let get = |k: &str| fm.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let name = get("name").unwrap_or_else(|| dir.unwrap_or("skill").to_string());
    Ok(Bundle {
        directory: dir.map(str::to_string).unwrap_or_else(|| name.clone()),
        description: get("description").unwrap_or_default(),
        version: get("version"),
        name,
        files,
    })
}

/// Parses simple YAML front matter (`key: value`, quoted values, `>`/`|` blocks).
pub fn front_matter(text: &str) -> Vec<(String, String)> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("---") {
        return Vec::new();
    }
    let body: Vec<&str> = lines.take_while(|l| l.trim() != "---").collect();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let line = body[i];
        i += 1;
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else { continue };
        let v = v.trim();
        let value = if matches!(v, ">" | "|" | ">-" | "|-" | ">+" | "|+") {
            let mut block = Vec::new();
            while i < body.len() && (body[i].starts_with([' ', '\t']) || body[i].trim().is_empty()) {
                block.push(body[i].trim());
                i += 1;
            }
            block.join(if v.starts_with('>') { " " } else { "\n" }).trim().to_string()
        } else if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
        {
            v[1..v.len() - 1].to_string()
        } else {
            v.to_string()
        };
        out.push((k.trim().to_string(), value));
    }
    out
}

/// `POST /skills` (multipart: `files`…, or a zip `file`; `display_title`, `metadata`).
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let form = Form::parse(ctx.content_type(), &ctx.body)?;
    let b = bundle(&form)?;
    let metadata = form.metadata()?;
    let display_title = form.text("display_title").unwrap_or_else(|| b.name.clone());
    if display_title.chars().count() > 255 {
        return Err(ApiError::param("display_title", "display_title must be at most 255 characters"));
    }
    let st = &ctx.state;
    let now = st.now();
    let mut skill = Skill {
        id: st.new_id(prefix::SKILL),
        display_title,
        source: "custom".into(),
        metadata,
        created_us: now,
        updated_us: now,
        versions: Vec::new(),
    };
    skill.add_version(st, b, now)?;
    let out = skill.render();
    st.store().skills.insert(skill.id.clone(), skill);
    st.stats.count_objects("skill", 1);
    Ok(Reply::created(&out))
}

/// `GET /skills/{skill_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let store = ctx.state.store();
    let s = store.skills.get(ctx.param(0)).ok_or_else(|| ApiError::not_found("Skill", ctx.param(0)))?;
    Ok(Reply::ok(&s.render()))
}

/// `GET /skills` (`name` = latest version's name, `display_title`, `source`; newest first).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let (name, title, source) = (q.get("name"), q.get("display_title"), q.get("source"));
    let store = ctx.state.store();
    let skills: Vec<&Skill> = store.skills.values().collect();
    list_reply(
        q,
        &skills,
        |s| s.id.clone(),
        |s| {
            none_or(name, |n| s.versions.last().is_some_and(|v| v.name == n))
                && none_or(title, |t| s.display_title == t)
                && none_or(source, |src| s.source == src)
        },
        |s| s.render(),
        Order::Desc,
    )
}

/// `DELETE /skills/{skill_id}` (its versions go with it).
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    ctx.state.store().skills.remove(id).ok_or_else(|| ApiError::not_found("Skill", id))?;
    Ok(Reply::ok(&json!({"id": id, "type": "skill_deleted"})))
}

// ---- Versions: `{version}` accepts the version string, the version's
// `skillver_…` id, or `latest`.

fn skill_mut<'a>(store: &'a mut Store, id: &str) -> ApiResult<&'a mut Skill> {
    store.skills.get_mut(id).ok_or_else(|| ApiError::not_found("Skill", id))
}

/// `POST /skills/{skill_id}/versions` (multipart `files`, the complete file set).
pub fn create_version(ctx: &Ctx) -> ApiResult<Reply> {
    let form = Form::parse(ctx.content_type(), &ctx.body)?;
    let st = &ctx.state;
    let mut store = st.store();
    let skill = skill_mut(&mut store, ctx.param(0))?;
    let b = bundle(&form)?;
    let v = skill.add_version(st, b, st.now())?.clone();
    Ok(Reply::created(&skill.render_version(&v)))
}

/// `GET /skills/{skill_id}/versions` (newest first).
pub fn list_versions(ctx: &Ctx) -> ApiResult<Reply> {
    let mut store = ctx.state.store();
    let skill = skill_mut(&mut store, ctx.param(0))?;
    let versions: Vec<_> = skill.versions.iter().collect();
    list_reply(&ctx.query, &versions, |v| v.id.clone(), |_| true, |v| skill.render_version(v), Order::Desc)
}

/// `GET /skills/{skill_id}/versions/{version}`
pub fn retrieve_version(ctx: &Ctx) -> ApiResult<Reply> {
    let mut store = ctx.state.store();
    let skill = skill_mut(&mut store, ctx.param(0))?;
    let i = skill.find_version(ctx.param(1))?;
    Ok(Reply::ok(&skill.render_version(&skill.versions[i])))
}

/// `DELETE /skills/{skill_id}/versions/{version}`: `{id: <version>, type: "skill_version_deleted"}`.
pub fn delete_version(ctx: &Ctx) -> ApiResult<Reply> {
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let skill = skill_mut(&mut store, ctx.param(0))?;
    let i = skill.find_version(ctx.param(1))?;
    let v = skill.versions.remove(i);
    skill.updated_us = now;
    Ok(Reply::ok(&json!({"id": v.version, "type": "skill_version_deleted", "skill_version_id": v.id})))
}

/// `GET /skills/{skill_id}/versions/{version}/content`: a zip of the version's files.
pub fn version_content(ctx: &Ctx) -> ApiResult<Reply> {
    let mut store = ctx.state.store();
    let skill = skill_mut(&mut store, ctx.param(0))?;
    let v = &skill.versions[skill.find_version(ctx.param(1))?];
    let zip = crate::zip::write(&v.files);
    let name: String = format!("{}-{}.zip", v.directory, v.version)
        .chars()
        .filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n'))
        .collect();
    Ok(Reply::binary(http::StatusCode::OK, "application/zip", zip)
        .header("content-disposition", format!("attachment; filename=\"{name}\"")))
}

#[cfg(test)]
mod tests {
    use super::front_matter;

    #[test]
    fn parses_front_matter() {
        let fm = front_matter(
            "---\nname: my-skill\ndescription: >\n  Does things\n  well.\nversion: \"1.2\"\n---\n# Body\n",
        );
        assert_eq!(fm[0], ("name".into(), "my-skill".into()));
        assert_eq!(fm[1].1, "Does things well.");
        assert_eq!(fm[2].1, "1.2");
        assert!(front_matter("# no front matter").is_empty());
    }
}
