//! A macro for API objects: `id`, `type`, named fields with defaults, and an `extra` map.

/// Declares an API object struct: every field optional-with-default, unknown fields kept.
macro_rules! api_object {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
        pub struct $name {
            /// Object id.
            #[serde(default)]
            pub id: String,
            /// Object type discriminator.
            #[serde(rename = "type", default)]
            pub object_type: String,
            $( $(#[$fdoc])* #[serde(default)] pub $field: $ty, )*
            /// Fields this version does not know, kept verbatim.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    };
}
pub(crate) use api_object;

/// Declares a nested shape of a result object (no `id`/`type` of its own unless listed): every
/// field defaults when absent, unknown fields are kept in `extra`. A field the server may leave
/// out carries `#[schemars(extend("x-optional" = true))]`: the generated types mark it optional
/// (`?` in TypeScript) instead of always present. (Not `skip_serializing_if`: that would drop an
/// explicit `null` the server sent when the object is re-serialised.)
macro_rules! shape {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
        pub struct $name {
            $( $(#[$fdoc])* #[serde(default)] pub $field: $ty, )*
            /// Fields this version does not know, kept verbatim.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    };
}
pub(crate) use shape;
