//! Request parameters: one `*Params` type per operation that takes arguments, and the nested
//! request shapes (`*Param`) they refer to.
//!
//! These types are the single source of the parameter types of the bindings: `docs/schema.json`
//! (see [`super::schema`]) carries one `*Params` definition per operation (marked `x-params`,
//! named by the operation's `params` in `core/operations.json`), whose properties are exactly the
//! operation's query arguments, header arguments and body fields, and the Python and TypeScript
//! parameter types are generated from it. Conventions the generators rely on:
//!
//! - a params definition refers (`$ref`) only to `*Param` or `*Params` definitions, never to
//!   result or event types;
//! - tagged unions are `oneOf` of objects whose `type` is a required `const`; untagged unions
//!   (a string or an object) are `anyOf`;
//! - string enums are inline `{"type": "string", "enum": [...]}`; timestamps carry
//!   `"format": "date-time"`; uploads are binary strings marked `x-upload`.
//!
//! Every field of a `*Params` type is optional in Rust (the operation's `required` list, enforced
//! at run time and written into the schema, says which must be present).

use schemars::Schema;

use serde_json::{json, Value};

/// A one-value string type: the `type` tag of a request shape, serialised as its constant and
/// described in the schema as `{"type": "string", "const": ...}` (always inline).
macro_rules! tag {
    ($($(#[$m:meta])* $name:ident = $value:literal;)*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name;

        impl $name {
            /// The wire value.
            pub const VALUE: &'static str = $value;
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                if s == $value {
                    Ok($name)
                } else {
                    Err(serde::de::Error::custom(format!("expected type {:?}, found {:?}", $value, s)))
                }
            }
        }

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                // Described as its constant: the `type` fields of `tagged!` shapes carry no doc.
                schemars::json_schema!({"type": "string", "const": $value, "description": concat!("`\"", $value, "\"`.")})
            }
        }
    )*};
}

/// An operation's parameters: every field `Option<T>`, omitted from the JSON when `None`.
///
/// In the schema a field is its type, not nullable (`None` means "not sent"); a field that may be
/// sent as `null` (to clear a value) says so with `#[schemars(transform = nullable)]`.
macro_rules! params {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
        pub struct $name {
            $(
                #[schemars(transform = $crate::models::params::not_null)]
                $(#[$fm])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Fields this version does not model, sent as given (forward compatibility).
            #[serde(flatten)]
            #[schemars(skip)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    };
}

/// A string enum of request parameters (inline in the schema, `snake_case` values unless renamed).
macro_rules! string_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident {
            $( $(#[$vm:meta])* $variant:ident ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        #[schemars(inline, transform = $crate::models::params::string_enum_schema)]
        pub enum $name {
            $( $(#[$vm])* $variant, )*
        }
    };
}

/// A request union tagged by `type`: each arm is a request shape that carries its own tag
/// (untagged for serde, a `oneOf` in the schema).
macro_rules! param_union {
    ($(#[$m:meta])* pub enum $name:ident { $( $(#[$vm:meta])* $variant:ident($ty:ty) ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(untagged)]
        #[schemars(transform = $crate::models::params::one_of)]
        pub enum $name {
            $( $(#[$vm])* $variant($ty), )*
        }
    };
}

/// Request shapes tagged by `type`: the tag field (a [`tag!`] type, serialised as `type`) first,
/// then the given fields; an `Option` field is left out of the JSON when `None`.
macro_rules! tagged {
    ($( $(#[$m:meta])* pub struct $name:ident [$tag:ident] { $( $(#[$fm:meta])* pub $field:ident : $ty:ty ),* $(,)? } )+) => {$(
        #[serde_with::skip_serializing_none]
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        $(#[$m])*
        pub struct $name {
            #[serde(rename = "type")]
            pub r#type: $tag,
            $( $(#[$fm])* pub $field: $ty, )*
        }
    )+};
}

pub(crate) use {param_union, params, string_enum, tag, tagged};

/// Turns the `oneOf` of documented constants schemars writes for a string enum into
/// `{"type": "string", "enum": [...]}`.
pub(crate) fn string_enum_schema(schema: &mut Schema) {
    let Some(obj) = schema.as_object_mut() else { return };
    let Some(Value::Array(arms)) = obj.get("oneOf") else { return };
    let values: Option<Vec<Value>> = arms.iter().map(|a| a.get("const").cloned()).collect();
    if let Some(values) = values {
        obj.remove("oneOf");
        obj.insert("type".into(), json!("string"));
        obj.insert("enum".into(), Value::Array(values));
    }
}

/// Turns the `anyOf` schemars writes for an untagged enum into `oneOf` (a union tagged by `type`).
pub(crate) fn one_of(schema: &mut Schema) {
    if let Some(obj) = schema.as_object_mut() {
        if let Some(v) = obj.remove("anyOf") {
            obj.insert("oneOf".into(), v);
        }
    }
}

/// Drops `null` from a field's schema (`type: [T, "null"]`, a `null` enum value, the `null` arm of
/// an `anyOf`): an `Option` field of a params type is omitted when `None`, never sent as `null`.
pub(crate) fn not_null(schema: &mut Schema) {
    let Some(obj) = schema.as_object_mut() else { return };
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let t = types.remove(0);
            obj.insert("type".into(), t);
        }
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(arms)) = obj.get_mut(key) else { continue };
        let before = arms.len();
        arms.retain(|a| a.get("type").and_then(Value::as_str) != Some("null"));
        if arms.len() == 1 && before == 2 {
            let arm = arms.remove(0);
            obj.remove(key);
            if let Value::Object(m) = arm {
                for (k, v) in m {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
}

/// Marks a field as accepting `null` (sent to clear a value), after [`not_null`].
pub(crate) fn nullable(schema: &mut Schema) {
    let Some(obj) = schema.as_object_mut() else { return };
    match obj.get_mut("type") {
        Some(Value::String(t)) => {
            let t = t.clone();
            obj.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(values)) = obj.get_mut("enum") {
                values.push(Value::Null);
            }
        }
        Some(Value::Array(types)) => {
            if !types.iter().any(|t| t == "null") {
                types.push(json!("null"));
            }
        }
        _ => {
            if let Some(r) = obj.remove("$ref") {
                obj.insert("anyOf".into(), json!([{"$ref": r}, {"type": "null"}]));
            } else if let Some(Value::Array(arms)) = obj.get_mut("anyOf") {
                arms.push(json!({"type": "null"}));
            }
        }
    }
}

/// Schema of one uploaded file: binary content, marked `x-upload`.
pub(crate) fn upload_schema(_: &mut schemars::SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "string",
        "contentEncoding": "binary",
        "description": "The file's content: a path or bytes (sent as a multipart/form-data part).",
        "x-upload": true,
    })
}

/// Schema of several uploaded files: an array of binary contents, marked `x-upload`.
pub(crate) fn uploads_schema(_: &mut schemars::SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "string", "contentEncoding": "binary"},
        "description": "The files: paths or contents, each sent as a `files` multipart/form-data part.",
        "x-upload": true,
    })
}

/// Content of an upload (`files.upload`'s `file`, `skills.create`'s `files`). Uploads are sent as
/// `multipart/form-data`, not JSON; the schema describes the content as a binary string.
pub type UploadParam = Vec<u8>;

/// Flat string metadata (≤16 keys, values ≤512 characters). In updates a `null` value deletes the
/// key.
pub type MetadataParam = std::collections::BTreeMap<String, Option<String>>;

string_enum! {
    /// Sort order of a listing: `asc` or `desc`.
    pub enum SortOrder {
        /// Oldest first.
        Asc,
        /// Newest first.
        Desc,
    }
}

string_enum! {
    /// How much of a memory a call returns: `basic` (no content) or `full`.
    pub enum MemoryView {
        /// Metadata only.
        Basic,
        /// Metadata and content.
        Full,
    }
}

tag! {
    /// `"text"`.
    TextTag = "text";
    /// `"image"`.
    ImageTag = "image";
    /// `"document"`.
    DocumentTag = "document";
    /// `"base64"`.
    Base64Tag = "base64";
    /// `"url"`.
    UrlTag = "url";
    /// `"file"`.
    FileTag = "file";
}

tagged! {
    /// A text block of input content: `{"type": "text", "text"}`.
    #[derive(Default)]
    pub struct TextBlockParam [TextTag] {
        /// The text (non-empty).
        pub text: String,
    }
}

impl TextBlockParam {
    /// A text block.
    pub fn new(text: impl Into<String>) -> Self {
        Self { r#type: TextTag, text: text.into() }
    }
}

tagged! {
    /// An image block of input content: `{"type": "image", "source"}`.
    pub struct ImageBlockParam [ImageTag] {
        /// Where the image comes from (base64, URL or uploaded file).
        pub source: ContentSourceParam,
    }
}

tagged! {
    /// A document block of input content: `{"type": "document", "source", "title"?, "context"?}`.
    pub struct DocumentBlockParam [DocumentTag] {
        /// Where the document comes from (base64 PDF, plain text, URL or uploaded file).
        pub source: ContentSourceParam,
        /// Title shown to the model.
        pub title: Option<String>,
        /// Context about the document shown to the model.
        pub context: Option<String>,
    }
}

param_union! {
    /// One block of input content (messages, tool results), tagged by `type`.
    pub enum ContentBlockParam {
        /// Text.
        Text(TextBlockParam),
        /// An image.
        Image(ImageBlockParam),
        /// A document.
        Document(DocumentBlockParam),
    }
}

tagged! {
    /// Inline base64 data: `{"type": "base64", "media_type", "data"}`.
    #[derive(Default)]
    pub struct Base64SourceParam [Base64Tag] {
        /// MIME type, e.g. `image/png` or `application/pdf`.
        pub media_type: String,
        /// Base64-encoded bytes.
        pub data: String,
    }
}

tagged! {
    /// Inline plain text (documents only): `{"type": "text", "media_type"?, "data"}`.
    #[derive(Default)]
    pub struct TextSourceParam [TextTag] {
        /// MIME type; the API accepts `text/plain`.
        pub media_type: Option<String>,
        /// The document text.
        pub data: String,
    }
}

tagged! {
    /// A URL the server fetches: `{"type": "url", "url"}`.
    #[derive(Default)]
    pub struct UrlSourceParam [UrlTag] {
        /// The URL.
        pub url: String,
    }
}

tagged! {
    /// A file uploaded through the Files API: `{"type": "file", "file_id"}`.
    #[derive(Default)]
    pub struct FileSourceParam [FileTag] {
        /// Id of an uploaded file (`file_...`).
        pub file_id: String,
    }
}

param_union! {
    /// Where the bytes of an image or document block come from, tagged by `type`.
    pub enum ContentSourceParam {
        /// Inline base64 data.
        Base64(Base64SourceParam),
        /// Inline plain text (documents only).
        Text(TextSourceParam),
        /// A URL.
        Url(UrlSourceParam),
        /// An uploaded file.
        File(FileSourceParam),
    }
}
