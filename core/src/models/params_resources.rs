//! Request parameters of memory stores (memories and their versions) and models.

use super::params::{nullable, params, string_enum, tag, tagged, MemoryView, MetadataParam};

tag! {
    /// `"content_sha256"`.
    ContentSha256Tag = "content_sha256";
}

params! {
    /// Parameters of `memory_stores.create`.
    pub struct MemoryStoreCreateParams {
        /// Name, 1–255 characters (required).
        name: String,
        /// Description, at most 1024 characters.
        description: String,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
    }
}

params! {
    /// Parameters of `memory_stores.list`.
    pub struct MemoryStoreListParams {
        /// Only memory stores with this name.
        name: String,
        /// Created at or after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gte: String,
        /// Created at or before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lte: String,
        /// Also list archived memory stores.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

params! {
    /// Parameters of `memory_stores.update`.
    pub struct MemoryStoreUpdateParams {
        /// New description, at most 1024 characters.
        description: String,
        /// New name, 1–255 characters.
        name: String,
        /// Metadata patch: a `null` value deletes the key.
        metadata: MetadataParam,
    }
}

params! {
    /// Parameters of `memory_stores.memories.create`.
    pub struct MemoryCreateParams {
        /// `basic` or `full`: how much of the memory the answer carries.
        view: MemoryView,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
        /// The memory's content (required; may be `null`).
        #[schemars(transform = nullable)]
        content: String,
        /// Path of the memory in the store, 1–1024 characters (required).
        path: String,
    }
}

params! {
    /// Parameters of `memory_stores.memories.delete`.
    pub struct MemoryDeleteParams {
        /// Hex SHA-256 of the content the caller last read: a mismatch fails with a conflict.
        expected_content_sha256: String,
    }
}

params! {
    /// Parameters of `memory_stores.memories.list`.
    pub struct MemoryListParams {
        /// How many directory levels below `path_prefix` to list, 0–1024.
        depth: u32,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Only memories under this path.
        path_prefix: String,
        /// `basic` or `full`.
        view: MemoryView,
    }
}

params! {
    /// Parameters of `memory_stores.memories.retrieve`.
    pub struct MemoryRetrieveParams {
        /// `basic` or `full`.
        view: MemoryView,
    }
}

tagged! {
    /// A precondition of a memory update: `{"type": "content_sha256", "content_sha256"}`.
    #[derive(Default)]
    pub struct MemoryPreconditionParam [ContentSha256Tag] {
        /// Hex SHA-256 of the current content.
        pub content_sha256: String,
    }
}

params! {
    /// Parameters of `memory_stores.memories.update`.
    pub struct MemoryUpdateParams {
        /// `basic` or `full`.
        view: MemoryView,
        /// Hex SHA-256 of the current content: a mismatch fails with a conflict.
        content_sha256: String,
        /// Metadata patch: a `null` value deletes the key.
        metadata: MetadataParam,
        /// New content.
        #[schemars(transform = nullable)]
        content: String,
        /// New path, 1–1024 characters.
        path: String,
        /// The same precondition as `content_sha256`, as an object.
        precondition: MemoryPreconditionParam,
    }
}

string_enum! {
    /// What a memory version recorded: `created`, `modified` or `deleted`.
    pub enum MemoryOperation {
        /// The memory was created.
        Created,
        /// The memory was changed.
        Modified,
        /// The memory was deleted.
        Deleted,
    }
}

params! {
    /// Parameters of `memory_stores.memory_versions.list`.
    pub struct MemoryVersionListParams {
        /// Only versions made with this API key.
        api_key_id: String,
        /// Created at or after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gte: String,
        /// Created at or before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lte: String,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Only versions of this memory.
        memory_id: String,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Only versions made by this service account.
        service_account_id: String,
        /// Only versions made in this session.
        session_id: String,
        /// `created`, `modified` or `deleted`.
        operation: MemoryOperation,
        /// `basic` or `full`.
        view: MemoryView,
    }
}

params! {
    /// Parameters of `memory_stores.memory_versions.retrieve`.
    pub struct MemoryVersionRetrieveParams {
        /// `basic` or `full`.
        view: MemoryView,
    }
}

params! {
    /// Parameters of `models.list`.
    pub struct ModelListParams {
        /// Models after this id.
        after_id: String,
        /// Models before this id.
        before_id: String,
        /// Page size.
        limit: u32,
    }
}
