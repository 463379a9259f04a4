//! Query-string parsing per docs/api-contract.md §2.2 / §9.1.7: repeated `key[]=v` lists,
//! literal bracketed keys (`created_at[gte]`), `true`/`false` booleans.

use crate::clock::{parse_rfc3339, Micros};
use crate::errors::{ApiError, ApiResult};
use crate::validate::none_or;

/// Decoded query pairs, in order.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw (still percent-encoded) query string.
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
            .unwrap_or_default();
        Query { pairs }
    }

    /// First value of a scalar key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Whether the key (or its `key[]` list form) is present at all.
    pub fn has(&self, key: &str) -> bool {
        let list_key = format!("{key}[]");
        self.pairs.iter().any(|(k, _)| k == key || *k == list_key)
    }

    /// All values of a list parameter: `key[]=a&key[]=b`, repeated `key=a&key=b`,
    /// and comma-separated `key=a,b` are all accepted. Empty items are dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        let list_key = format!("{key}[]");
        let mut out = Vec::new();
        for (k, v) in &self.pairs {
            if *k == list_key || k == key {
                out.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
            }
        }
        out
    }

    /// A boolean parameter (`true`/`false`, also `1`/`0`).
    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some("true") | Some("1") | Some("True") => Ok(Some(true)),
            Some("false") | Some("0") | Some("False") => Ok(Some(false)),
            Some(v) => Err(ApiError::param(key, format!("{key} must be a boolean ('true' or 'false'), got '{v}'"))),
        }
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::param(key, format!("{key} must be an integer, got '{v}'"))),
        }
    }

    /// An RFC 3339 timestamp parameter.
    pub fn timestamp(&self, key: &str) -> ApiResult<Option<Micros>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => parse_rfc3339(v)
                .map(Some)
                .ok_or_else(|| ApiError::param(key, format!("{key} must be an RFC 3339 timestamp, got '{v}'"))),
        }
    }

    /// An enumerated string parameter.
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
            Some(v) => Err(ApiError::param(key, format!("{key} must be one of {}, got '{v}'", allowed.join(", ")))),
        }
    }
}

/// `created_at[gt|gte|lt|lte]` filter.
#[derive(Debug, Default, Clone, Copy)]
pub struct TimeRange {
    gt: Option<Micros>,
    gte: Option<Micros>,
    lt: Option<Micros>,
    lte: Option<Micros>,
}

impl TimeRange {
    /// Reads `created_at[...]` bounds from the query.
    pub fn parse(q: &Query, field: &str) -> ApiResult<Self> {
        Ok(TimeRange {
            gt: q.timestamp(&format!("{field}[gt]"))?,
            gte: q.timestamp(&format!("{field}[gte]"))?,
            lt: q.timestamp(&format!("{field}[lt]"))?,
            lte: q.timestamp(&format!("{field}[lte]"))?,
        })
    }

    /// Whether the instant satisfies every bound.
    pub fn contains(&self, t: Micros) -> bool {
        none_or(self.gt, |b| t > b)
            && none_or(self.gte, |b| t >= b)
            && none_or(self.lt, |b| t < b)
            && none_or(self.lte, |b| t <= b)
    }
}

/// The filters every list of archivable objects takes: `include_archived` (default false:
/// archived objects are hidden) and the `created_at[...]` bounds.
pub struct Visible {
    include_archived: bool,
    created: TimeRange,
}

impl Visible {
    /// Reads `include_archived` and `created_at[...]` from the query.
    pub fn parse(q: &Query) -> ApiResult<Self> {
        Ok(Visible {
            include_archived: q.bool("include_archived")?.unwrap_or(false),
            created: TimeRange::parse(q, "created_at")?,
        })
    }

    /// Whether an object archived at `archived_at` (if ever) and created at `created_us` is listed.
    pub fn keeps<A>(&self, archived_at: &Option<A>, created_us: Micros) -> bool {
        (self.include_archived || archived_at.is_none()) && self.created.contains(created_us)
    }
}
