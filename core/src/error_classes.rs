//! The error classes every binding exposes, written once in `core/errors.json`: each class has
//! a name, one parent and a doc line, and each [`ErrorKind`] maps to exactly one class. The
//! Python and Node classes are generated from the same file (`gen_exceptions.py`,
//! `gen-errors.js`), so the trees cannot drift; the tests below tie the file to [`ErrorKind`].

use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// One class of the error tree.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorClass {
    /// The class name, the same in every language (e.g. `RateLimitError`).
    pub name: String,
    /// The parent class; `None` for the root (`QoderError`).
    pub parent: Option<String>,
    /// One line for the docstring / JSDoc.
    pub doc: String,
    /// The core kind (`ErrorKind::as_str`) raised as this class, if any.
    #[serde(default)]
    pub kind: Option<String>,
    /// The class of errors that arrived as an `error` frame inside a stream.
    #[serde(default)]
    pub in_stream: bool,
}

#[derive(Deserialize)]
struct Table {
    classes: Vec<ErrorClass>,
}

/// Every class, root first (parents before children).
pub fn error_classes() -> &'static [ErrorClass] {
    static TABLE: OnceLock<Vec<ErrorClass>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // Checked by the tests below; a broken table is a build-time mistake, not a user's.
        serde_json::from_str::<Table>(include_str!("../errors.json")).expect("core/errors.json").classes
    })
}

impl ErrorKind {
    /// The class this kind is raised as (e.g. `"RateLimitError"`).
    pub fn class_name(self) -> &'static str {
        let kind = self.as_str();
        error_classes().iter().find(|c| c.kind.as_deref() == Some(kind)).map_or("QoderError", |c| c.name.as_str())
    }
}

impl Error {
    /// The class a binding raises this error as. An error that arrived as an `error` frame inside
    /// a stream is raised as its kind's class, which the bindings combine with the in-stream
    /// class (`APIStreamError`): [`in_stream_class_name`] names it.
    pub fn class_name(&self) -> &'static str {
        self.kind().class_name()
    }
}

/// The class of errors that arrived inside a stream (`APIStreamError`).
pub fn in_stream_class_name() -> &'static str {
    error_classes().iter().find(|c| c.in_stream).map_or("APIStreamError", |c| c.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_one_class_and_every_class_one_known_parent() {
        let classes = error_classes();
        let names: HashSet<&str> = classes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), classes.len(), "class names are unique");
        let mut seen = HashSet::new();
        for c in classes {
            match &c.parent {
                None => assert_eq!(c.name, "QoderError", "one root"),
                Some(p) => assert!(seen.contains(p.as_str()), "{}: parent {p} must come first", c.name),
            }
            seen.insert(c.name.as_str());
        }
        for k in ErrorKind::ALL {
            let n = classes.iter().filter(|c| c.kind.as_deref() == Some(k.as_str())).count();
            assert_eq!(n, 1, "{k:?} maps to exactly one class");
        }
        let kinds: HashSet<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        for c in classes {
            if let Some(k) = &c.kind {
                assert!(kinds.contains(k.as_str()), "{}: unknown kind {k}", c.name);
            }
        }
        assert_eq!(ErrorKind::RateLimit.class_name(), "RateLimitError");
        assert_eq!(in_stream_class_name(), "APIStreamError");
    }
}
