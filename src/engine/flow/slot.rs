//! Redis Cluster hash slots, to refuse a flow whose queues live in different
//! slots before one script tries to touch them all.

use crate::engine::error::{Error, Result};
use crate::engine::transitions::add_flow::FlowNode;

/// CRC16/XMODEM (polynomial 0x1021, initial 0), the checksum Redis Cluster
/// hashes keys with.
fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in bytes {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The cluster slot of `key`: only the part inside the first non-empty
/// `{...}` counts when there is one (the hash tag).
pub(crate) fn hash_slot(key: &str) -> u16 {
    let b = key.as_bytes();
    let tagged = b.iter().position(|&c| c == b'{').and_then(|open| {
        let len = b[open + 1..].iter().position(|&c| c == b'}')?;
        (len > 0).then(|| &b[open + 1..open + 1 + len])
    });
    crc16(tagged.unwrap_or(b)) % 16384
}

/// Fails with `CrossSlot` unless every node's queue (and every parent it
/// names) is in the slot of `first`.
pub(crate) fn check_one_slot<'a>(
    first: &str,
    nodes: impl Iterator<Item = &'a FlowNode>,
) -> Result<()> {
    let slot = hash_slot(first);
    for n in nodes {
        let parent = n.parent.as_ref().map(|(k, _)| k.as_str());
        for key in std::iter::once(n.base.as_str()).chain(parent) {
            if hash_slot(key) != slot {
                return Err(Error::CrossSlot {
                    first: first.to_string(),
                    other: key.to_string(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_redis() {
        // Values from Redis' CLUSTER KEYSLOT.
        assert_eq!(hash_slot("foo"), 12182);
        assert_eq!(hash_slot("bar"), 5061);
        assert_eq!(
            hash_slot("{user1000}.following"),
            hash_slot("{user1000}.followers")
        );
        assert_eq!(hash_slot("{bull}:a:1"), hash_slot("bull"));
        // An empty tag does not count: the whole key is hashed.
        assert_eq!(hash_slot("{}foo"), crc16(b"{}foo") % 16384);
    }
}
