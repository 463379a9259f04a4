//! Shared plumbing for forward-compatible wire models (content blocks and events).
//!
//! Every wire struct must re-serialise to the JSON it was decoded from: unknown fields are kept
//! in `extra`, absent optional fields stay absent, and an explicit `null` on a modelled field
//! (e.g. `"processed_at": null` on a queued event) is remembered in `extra` rather than dropped.
//! `serde(flatten)` alone cannot do the last part, and a derived `Serialize` cannot write the
//! `type` tag first without an intermediate `Value`, hence these macros.

/// Whether a typed field holds something to write. Required fields always do; `Option`s do
/// when `Some`.
pub(crate) trait Present {
    fn present(&self) -> bool {
        true
    }
}

impl<T> Present for Option<T> {
    fn present(&self) -> bool {
        self.is_some()
    }
}
impl<T> Present for Vec<T> {}
impl Present for String {}
impl Present for serde_json::Value {}
impl Present for serde_json::Map<String, serde_json::Value> {}

/// JSON name of a field: the Rust name unless an explicit `["json"]` was given.
macro_rules! wire_name {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $json:literal) => {
        $json
    };
}
pub(crate) use wire_name;

/// Defines a wire struct with an `extra` catch-all map, a tag-checking and null-preserving
/// `Deserialize`, and a `Serialize` that writes `type` (if tagged) first.
///
/// Syntax: `pub struct Name [tag = "t"] { pub field ["json_name"]: Type, ... }`. Fields whose
/// type is not `Option` are required: decoding fails without them (callers decoding tagged
/// unions then fall back to their `Unknown` arm).
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $([tag = $tag:literal])? {
            $( $(#[$fmeta:meta])* pub $field:ident $([$json:literal])? : $fty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $fty, )*
            /// Fields this SDK version does not model, kept verbatim so re-serialising loses
            /// nothing. Explicit `null`s of modelled fields are remembered here too.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl Present for $name {}

        $(
        impl $name {
            /// The wire `type` tag of this shape.
            pub const TYPE: &'static str = $tag;
        }
        )?

        const _: () = {
            use serde::de::Error as _;
            use serde::ser::SerializeMap as _;

            const FIELDS: &[&str] = &[$(wire_name!($field $(, $json)?)),*];

            #[derive(serde::Deserialize, schemars::JsonSchema)]
            struct Shadow {
                $( $(#[$fmeta])* $(#[serde(rename = $json)])? $field: $fty, )*
                #[serde(flatten)]
                extra: serde_json::Map<String, serde_json::Value>,
            }

            $(#[$meta])*
            #[derive(schemars::JsonSchema)]
            struct Doc;

            impl schemars::JsonSchema for $name {
                fn schema_name() -> std::borrow::Cow<'static, str> {
                    stringify!($name).into()
                }
                fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    let mut s = <Shadow as schemars::JsonSchema>::json_schema(g);
                    #[allow(unused_variables)]
                    let tag: Option<&str> = None $( .or(Some($tag)) )?;
                    $crate::models::content::wire::finish_schema(&mut s, <Doc as schemars::JsonSchema>::json_schema(g), tag);
                    s
                }
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    #[allow(unused_mut)] // only mutated for tagged structs
                    let mut map = <serde_json::Map<String, serde_json::Value>>::deserialize(d)?;
                    $(
                    // A tagged shape must carry its tag: without it, re-serialising would add
                    // one, so the enclosing union or event keeps the raw JSON instead.
                    match map.shift_remove("type") {
                        Some(found) if found.as_str() == Some($tag) => {}
                        Some(found) => {
                            return Err(D::Error::custom(format_args!(
                                "expected type {:?}, found {}", $tag, found
                            )));
                        }
                        None => return Err(D::Error::custom(format_args!("missing type {:?}", $tag))),
                    }
                    )?
                    let nulls: Vec<String> = map
                        .iter()
                        .filter(|(k, v)| v.is_null() && FIELDS.contains(&k.as_str()))
                        .map(|(k, _)| k.clone())
                        .collect();
                    let s = Shadow::deserialize(serde_json::Value::Object(map)).map_err(D::Error::custom)?;
                    let mut out = $name { $( $field: s.$field, )* extra: s.extra };
                    for k in nulls {
                        out.extra.insert(k, serde_json::Value::Null);
                    }
                    Ok(out)
                }
            }

            /// An `extra` key hidden by a typed field (or the tag) that will be written anyway.
            fn shadowed(this: &$name, key: &str) -> bool {
                let _ = this; // unused for field-less structs
                $( if key == "type" { let _ = $tag; return true; } )?
                $( if key == wire_name!($field $(, $json)?) { return Present::present(&this.$field); } )*
                false
            }

            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let mut map = s.serialize_map(None)?;
                    $( map.serialize_entry("type", $tag)?; )?
                    $(
                    if Present::present(&self.$field) {
                        map.serialize_entry(wire_name!($field $(, $json)?), &self.$field)?;
                    }
                    )*
                    for (k, v) in &self.extra {
                        if !shadowed(self, k) {
                            map.serialize_entry(k, v)?;
                        }
                    }
                    map.end()
                }
            }
        };
    };
}
pub(crate) use wire_struct;

/// Defines event structs (one or more per invocation): the envelope fields, the given fields,
/// `extra`, `new` and `envelope` (the call site must have `EnvelopeRef` in scope).
macro_rules! event_struct {
    (@one
        $(#[$meta:meta])*
        pub struct $name:ident [tag = $tag:literal] {
            $( $(#[$fmeta:meta])* pub $field:ident : $fty:ty ),* $(,)?
        }
    ) => {
        wire_struct! {
            $(#[$meta])*
            pub struct $name [tag = $tag] {
                /// Event id (`evt_…`), unique and ordered within a session; the SSE `id:` and
                /// the `after_id` / `Last-Event-ID` cursor. `None` on events not yet sent and
                /// on stream-only previews.
                pub id: Option<String>,
                /// When the server handled the event (RFC 3339); `None`/`null` while a sent
                /// input event is still queued.
                pub processed_at: Option<String>,
                /// The session the event belongs to.
                pub session_id: Option<String>,
                /// Thread scope: set on thread events and on blocking events cross-posted from
                /// a sub-agent thread. Echo it when replying to such an event.
                pub session_thread_id: Option<String>,
                /// The turn the event belongs to (`turn_…`).
                pub turn_id: Option<String>,
                /// When the event was created (RFC 3339).
                pub created_at: Option<String>,
                /// Event schema version (`"1.0"`).
                pub schema_version: Option<String>,
                /// Model message id on agent events.
                pub message_id: Option<String>,
                /// The tool use this event happened under (sub-agent activity).
                pub parent_tool_use_id: Option<String>,
                $( $(#[$fmeta])* pub $field: $fty, )*
            }
        }

        impl $name {
            /// Creates the event from its own fields with an empty envelope (the server fills
            /// `id`, `processed_at`, … when it records the event).
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new($($field: $fty),*) -> Self {
                Self {
                    id: None,
                    processed_at: None,
                    session_id: None,
                    session_thread_id: None,
                    turn_id: None,
                    created_at: None,
                    schema_version: None,
                    message_id: None,
                    parent_tool_use_id: None,
                    $( $field, )*
                    extra: serde_json::Map::new(),
                }
            }

            /// Borrowed view of the envelope fields.
            pub fn envelope(&self) -> EnvelopeRef<'_> {
                EnvelopeRef {
                    id: self.id.as_deref(),
                    processed_at: self.processed_at.as_deref(),
                    session_id: self.session_id.as_deref(),
                    session_thread_id: self.session_thread_id.as_deref(),
                    turn_id: self.turn_id.as_deref(),
                    created_at: self.created_at.as_deref(),
                }
            }
        }
    };
    ($( $(#[$meta:meta])* pub struct $name:ident [tag = $tag:literal] { $($body:tt)* } )+) => {
        $( event_struct! { @one $(#[$meta])* pub struct $name [tag = $tag] { $($body)* } } )+
    };
}
pub(crate) use event_struct;

/// Defines a union tagged by `type` whose variants are `wire_struct`s, plus an
/// `Unknown(serde_json::Value)` arm that receives unknown tags and known tags whose shape did
/// not decode. Decoding therefore never fails, and `Unknown` re-serialises verbatim.
macro_rules! tagged_union {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ident), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
            /// A `type` this SDK version does not know, or a known `type` whose shape did not
            /// decode. Kept verbatim.
            Unknown(serde_json::Value),
        }

        impl $name {
            /// The wire `type` tag (`""` for an `Unknown` value without a string `type`).
            pub fn type_str(&self) -> &str {
                match self {
                    $( Self::$variant(_) => $ty::TYPE, )*
                    Self::Unknown(v) => v.get("type").and_then(|t| t.as_str()).unwrap_or(""),
                }
            }
        }

        $(
        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                Self::$variant(v)
            }
        }
        )*

        impl Present for $name {}

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $(#[$meta])*
                #[derive(schemars::JsonSchema)]
                struct Doc;
                let variants = vec![$( g.subschema_for::<$ty>() ),*];
                $crate::models::content::wire::union_schema(variants, <Doc as schemars::JsonSchema>::json_schema(g))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(v) => serde::Serialize::serialize(v, s), )*
                    Self::Unknown(v) => serde::Serialize::serialize(v, s),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                let tag = v.get("type").and_then(|t| t.as_str()).unwrap_or("");
                let known = $(
                    if tag == $ty::TYPE {
                        <$ty as serde::Deserialize>::deserialize(&v).ok().map(Self::$variant)
                    } else
                )* { None };
                Ok(known.unwrap_or(Self::Unknown(v)))
            }
        }
    };
}
pub(crate) use tagged_union;

/// Defines a string enum with an `Other(String)` arm, so new server values decode (and
/// re-serialise) instead of failing.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this SDK version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $value => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Present for $name {}

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $(#[$meta])*
                #[derive(schemars::JsonSchema)]
                struct Doc;
                $crate::models::content::wire::string_enum_schema(&[$($value),*], <Doc as schemars::JsonSchema>::json_schema(g))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(&*s))
            }
        }
    };
}
pub(crate) use string_enum;

// ---- JSON Schema (docs/schema.json): what the Python and TypeScript types are generated from ----
//
// Extensions the generators read: `x-open` (a union or string enum that accepts values this
// version does not know: an unknown event or block type is kept, never an error).

fn description(doc: schemars::Schema) -> Option<serde_json::Value> {
    doc.get("description").cloned()
}

/// Completes a wire struct's schema: its doc, its `type` tag (a required constant), and open to
/// unknown fields.
pub(crate) fn finish_schema(s: &mut schemars::Schema, doc: schemars::Schema, tag: Option<&str>) {
    let obj = s.ensure_object();
    obj.remove("title");
    if let Some(d) = description(doc) {
        obj.insert("description".into(), d);
    }
    if let Some(tag) = tag {
        let props = obj.entry("properties").or_insert_with(|| serde_json::json!({}));
        if let serde_json::Value::Object(p) = props {
            let rest = std::mem::take(p);
            p.insert("type".into(), serde_json::json!({ "const": tag }));
            p.extend(rest);
        }
        let req = obj.entry("required").or_insert_with(|| serde_json::json!([]));
        if let serde_json::Value::Array(r) = req {
            r.insert(0, serde_json::json!("type"));
        }
    }
    obj.insert("additionalProperties".into(), serde_json::Value::Bool(true));
}

/// A union tagged by `type`, open to unknown tags.
pub(crate) fn union_schema(variants: Vec<schemars::Schema>, doc: schemars::Schema) -> schemars::Schema {
    let mut s = schemars::json_schema!({ "oneOf": variants, "x-open": true });
    if let Some(d) = description(doc) {
        s.insert("description".into(), d);
    }
    s
}

/// A string enum, open to values this version does not know.
pub(crate) fn string_enum_schema(values: &[&str], doc: schemars::Schema) -> schemars::Schema {
    let mut s = schemars::json_schema!({ "type": "string", "enum": values, "x-open": true });
    if let Some(d) = description(doc) {
        s.insert("description".into(), d);
    }
    s
}
