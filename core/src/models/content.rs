//! Content blocks carried by messages and tool results (docs/api-contract.md §4.12).
//!
//! Blocks and sources are unions tagged by `type`. Each has an `Unknown(serde_json::Value)`
//! arm, so a block type added by the server (or a known type with a new shape) decodes and
//! re-serialises verbatim instead of failing the whole event.

#[path = "wire.rs"]
pub(crate) mod wire;

use wire::{tagged_union, wire_name, wire_struct, Present};

tagged_union! {
    /// One block of message or tool-result content.
    pub enum ContentBlock {
        /// Plain text.
        Text(TextBlock),
        /// An image (`user.message` and tool results).
        Image(ImageBlock),
        /// A document: PDF, plain text, or a file (`user.message` and tool results).
        Document(DocumentBlock),
        /// Content withheld by the server (or by the sender).
        Redacted(RedactedBlock),
        /// A search result (tool results only).
        SearchResult(SearchResultBlock),
    }
}

wire_struct! {
    /// `{"type":"text","text":…}`.
    #[derive(Default)]
    pub struct TextBlock [tag = "text"] {
        /// The text (the server rejects empty text on input).
        pub text: String,
    }
}

wire_struct! {
    /// `{"type":"image","source":…}`.
    pub struct ImageBlock [tag = "image"] {
        /// Where the image bytes come from (base64, URL or uploaded file).
        pub source: ContentSource,
    }
}

wire_struct! {
    /// `{"type":"document","source":…,"title"?,"context"?}`.
    pub struct DocumentBlock [tag = "document"] {
        /// Where the document comes from (base64, inline text, URL or uploaded file).
        pub source: ContentSource,
        /// Optional title shown to the model.
        pub title: Option<String>,
        /// Optional context about the document shown to the model.
        pub context: Option<String>,
    }
}

wire_struct! {
    /// `{"type":"redacted"}`: content that is withheld.
    #[derive(Default)]
    pub struct RedactedBlock [tag = "redacted"] {}
}

wire_struct! {
    /// `{"type":"search_result","source":<url>,"title","content":[text…],"citations"}`.
    #[derive(Default)]
    pub struct SearchResultBlock [tag = "search_result"] {
        /// The URL (or other identifier) the result came from.
        pub source: String,
        /// The result's title.
        pub title: Option<String>,
        /// The result's text blocks.
        pub content: Option<Vec<ContentBlock>>,
        /// Citation settings for this result.
        pub citations: Option<Citations>,
    }
}

wire_struct! {
    /// `{"enabled":bool}` citation settings of a search result.
    #[derive(Default)]
    pub struct Citations {
        /// Whether the model may cite this result.
        pub enabled: Option<bool>,
    }
}

tagged_union! {
    /// Where the bytes of an image or document come from.
    pub enum ContentSource {
        /// Inline base64 data.
        Base64(Base64Source),
        /// Inline plain text (documents only).
        Text(TextSource),
        /// A URL the server fetches.
        Url(UrlSource),
        /// A file uploaded through the Files API.
        File(FileSource),
    }
}

wire_struct! {
    /// `{"type":"base64","media_type","data"}`.
    #[derive(Default)]
    pub struct Base64Source [tag = "base64"] {
        /// MIME type, e.g. `image/png` or `application/pdf`.
        pub media_type: String,
        /// Base64-encoded bytes.
        pub data: String,
    }
}

wire_struct! {
    /// `{"type":"text","media_type":"text/plain","data"}`.
    #[derive(Default)]
    pub struct TextSource [tag = "text"] {
        /// MIME type; the API accepts `text/plain`.
        pub media_type: Option<String>,
        /// The document text.
        pub data: String,
    }
}

wire_struct! {
    /// `{"type":"url","url"}`.
    #[derive(Default)]
    pub struct UrlSource [tag = "url"] {
        /// The URL to fetch.
        pub url: String,
    }
}

wire_struct! {
    /// `{"type":"file","file_id"}`.
    #[derive(Default)]
    pub struct FileSource [tag = "file"] {
        /// Id of an uploaded file (`file_…`).
        pub file_id: String,
    }
}

impl ContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextBlock { text: text.into(), extra: Default::default() })
    }

    /// An image block with the given source.
    pub fn image(source: ContentSource) -> Self {
        Self::Image(ImageBlock { source, extra: Default::default() })
    }

    /// A document block with the given source and no title or context.
    pub fn document(source: ContentSource) -> Self {
        Self::Document(DocumentBlock { source, title: None, context: None, extra: Default::default() })
    }

    /// A redacted block.
    pub fn redacted() -> Self {
        Self::Redacted(RedactedBlock::default())
    }

    /// The text of a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(&t.text),
            _ => None,
        }
    }
}

impl ContentSource {
    /// Inline base64 data with its MIME type.
    pub fn base64(media_type: impl Into<String>, data: impl Into<String>) -> Self {
        Self::Base64(Base64Source { media_type: media_type.into(), data: data.into(), extra: Default::default() })
    }

    /// Inline plain text (for documents).
    pub fn plain_text(data: impl Into<String>) -> Self {
        Self::Text(TextSource {
            media_type: Some("text/plain".to_owned()),
            data: data.into(),
            extra: Default::default(),
        })
    }

    /// A URL the server fetches.
    pub fn url(url: impl Into<String>) -> Self {
        Self::Url(UrlSource { url: url.into(), extra: Default::default() })
    }

    /// An uploaded file.
    pub fn file(file_id: impl Into<String>) -> Self {
        Self::File(FileSource { file_id: file_id.into(), extra: Default::default() })
    }
}

/// Concatenates the text of every text block, in order (other blocks are skipped).
pub fn joined_text(blocks: &[ContentBlock]) -> String {
    blocks.iter().filter_map(ContentBlock::as_text).collect()
}
