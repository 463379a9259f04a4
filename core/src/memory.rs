//! Helpers for memory stores' optimistic concurrency.
//!
//! Updates and deletes of a memory take the SHA-256 of the content the caller last read
//! (`content_sha256` / `expected_content_sha256`); the server refuses the change with a conflict
//! if the memory changed since. This computes that precondition exactly as the server does.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `content` (UTF-8), the value of `content_sha256` preconditions.
pub fn content_sha256(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_digest() {
        assert_eq!(super::content_sha256("one"), "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed");
    }
}
