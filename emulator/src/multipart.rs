//! `multipart/form-data` parsing for uploads (`POST /files`, `POST /skills`,
//! `POST /skills/{id}/versions`). The body is already buffered, so parts are
//! zero-copy slices of it.
//!
//! Filenames may come as `filename="a/b.md"` or RFC 5987 `filename*=utf-8''a%2Fb.md`
//! (reqwest percent-encodes `/` that way); both are decoded.

use bytes::Bytes;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::errors::{ApiError, ApiResult};
use crate::validate::{metadata_create, Obj};

/// One part of a form.
#[derive(Debug, Clone)]
pub struct Part {
    /// Field name.
    pub name: String,
    /// Filename, for file parts.
    pub filename: Option<String>,
    /// The part's `Content-Type`, when given.
    pub content_type: Option<String>,
    /// Content.
    pub data: Bytes,
}

impl Part {
    /// The content as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// A parsed form.
#[derive(Debug, Default)]
pub struct Form {
    /// Parts in order.
    pub parts: Vec<Part>,
}

impl Form {
    /// Parses the request body; 400 unless it is `multipart/form-data`.
    pub fn parse(content_type: &str, body: &Bytes) -> ApiResult<Form> {
        let boundary = boundary(content_type)
            .ok_or_else(|| ApiError::invalid("This endpoint expects a multipart/form-data body with a boundary."))?;
        let parts =
            parse_parts(body, &boundary).map_err(|m| ApiError::invalid(format!("Malformed multipart body: {m}.")))?;
        Ok(Form { parts })
    }

    /// The first part with this field name.
    pub fn get(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    /// Every part with this field name (`name` or `name[]`).
    pub fn all(&self, name: &str) -> Vec<&Part> {
        let alt = format!("{name}[]");
        self.parts.iter().filter(|p| p.name == name || p.name == alt).collect()
    }

    /// A text field (None when absent or empty).
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(Part::text).filter(|s| !s.is_empty())
    }

    /// `metadata` given as a JSON-encoded object (docs/api-contract.md §1.6).
    pub fn metadata(&self) -> ApiResult<Obj> {
        match self.text("metadata") {
            None => Ok(Obj::new()),
            Some(s) => {
                let v: Value = serde_json::from_str(&s)
                    .map_err(|_| ApiError::param("metadata", "metadata must be a JSON-encoded object"))?;
                metadata_create(Some(&v), "metadata")
            }
        }
    }
}

/// The boundary parameter of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params_of(params)
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty())
}

/// Position of `needle` in `hay` at or after `from`.
pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let off = hay[i..hay.len() - needle.len() + 1].iter().position(|b| *b == first)?;
        i += off;
        if &hay[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn parse_parts(body: &Bytes, boundary: &str) -> Result<Vec<Part>, String> {
    let delim = format!("--{boundary}");
    let next_delim = format!("\r\n--{boundary}");
    let mut pos = find(body, delim.as_bytes(), 0).ok_or_else(|| "no opening boundary".to_string())? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        // Skip transport padding and the CRLF after the boundary line.
        let line_end = find(body, b"\r\n", pos).ok_or_else(|| "unterminated boundary line".to_string())?;
        let head_start = line_end + 2;
        if body[head_start..].starts_with(b"\r\n") {
            return Err("part without headers".into());
        }
        let head_end =
            find(body, b"\r\n\r\n", head_start).ok_or_else(|| "part without a header terminator".to_string())?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]).into_owned();
        let data_start = head_end + 4;
        let data_end = find(body, next_delim.as_bytes(), data_start)
            .ok_or_else(|| "part without a closing boundary".to_string())?;
        let (mut name, mut filename, mut content_type) = (None, None, None);
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else { continue };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                let (_, params) = v.split_once(';').unwrap_or((v, ""));
                let mut star = None;
                for (pk, pv) in params_of(params) {
                    match pk.to_ascii_lowercase().as_str() {
                        "name" => name = Some(pv),
                        "filename" => filename = Some(pv),
                        "filename*" => star = Some(decode_ext_value(&pv)),
                        _ => {}
                    }
                }
                if star.is_some() {
                    filename = star;
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
        parts.push(Part {
            name: name.ok_or_else(|| "part without a name".to_string())?,
            filename,
            content_type,
            data: body.slice(data_start..data_end),
        });
        pos = data_end + next_delim.len();
    }
}

/// `k=v; k2="quoted; value"` → pairs (quotes and `\` escapes removed).
fn params_of(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ';' || chars[i].is_whitespace()) {
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && chars[i] != ';' {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect::<String>().trim().to_string();
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            if i < chars.len() && chars[i] == '"' {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && chars[i] != ';' {
                    value.push(chars[i]);
                    i += 1;
                }
                value = value.trim().to_string();
            }
        }
        if !key.is_empty() {
            out.push((key, value));
        }
    }
    out
}

/// RFC 5987 `charset'lang'percent-encoded`.
fn decode_ext_value(v: &str) -> String {
    let encoded = v.splitn(3, '\'').nth(2).unwrap_or(v);
    percent_decode_str(encoded).decode_utf8_lossy().into_owned()
}

/// A MIME type guessed from a filename.
pub fn guess_mime(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "md" | "markdown" => "text/markdown",
        "json" => "application/json",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "tar" => "application/x-tar",
        "py" => "text/x-python",
        "js" => "text/javascript",
        "rs" => "text/x-rust",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_files_and_encoded_names() {
        let body = Bytes::from_static(
            b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"a\":\"b\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename*=utf-8''my-skill%2FSKILL.md\r\nContent-Type: text/markdown\r\n\r\n---\r\nname: x\r\n---\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n\r\n\r\n--XyZ--\r\n",
        );
        let f = Form::parse("multipart/form-data; boundary=XyZ", &body).unwrap();
        assert_eq!(f.parts.len(), 3);
        assert_eq!(f.metadata().unwrap()["a"], "b");
        let s = f.get("files").unwrap();
        assert_eq!(s.filename.as_deref(), Some("my-skill/SKILL.md"));
        assert_eq!(s.content_type.as_deref(), Some("text/markdown"));
        assert_eq!(&s.data[..], b"---\r\nname: x\r\n---\r\n");
        let e = f.get("file").unwrap();
        assert_eq!(e.filename.as_deref(), Some("a \"b\".txt"));
        assert!(e.data.is_empty());
        assert!(Form::parse("application/json", &body).is_err());
        assert!(Form::parse("multipart/form-data; boundary=nope", &body).is_err());
        assert_eq!(find(b"abcabd", b"abd", 0), Some(3));
    }
}
