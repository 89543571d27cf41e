//! Access codes: what a citizen types beside the ticket to look a case up
//! on `/cek-status/`.
//!
//! A code is 8 symbols of the ticket's read-aloud alphabet (20^8, about 35
//! bits), shown once on the confirmation page and sent in the receipt mail.
//! The record keeps only `hmac-sha256:HEX`, an HMAC-SHA256 of the ticket and
//! the code under a server key (32 random bytes in `data/lookup.key`, 0600,
//! made on the first start and kept in backups with the records it opens).
//!
//! Why an HMAC and not a slow password hash: the code is random, not chosen
//! by a person, so there is no dictionary to slow down; online guessing is
//! what matters, and the lookup's rate limit bounds it. A record without
//! the key gives nothing to guess against offline. And each check costs
//! about a microsecond, so lookups cannot be used to burn the server's CPU,
//! as a memory-hard hash under a rate limit could from many addresses.
//!
//! Every check does the same work whether the ticket exists or not
//! ([`AccessKey::verify`] with `None` compares against a dummy), and the
//! comparison is constant-time.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ticket::{is_symbol, random_symbols};
use crate::core::fs::replace_private;

/// Symbols in a code.
pub const CODE_LEN: usize = 8;

/// The file holding the key, in the data folder.
pub const KEY_FILE: &str = "lookup.key";

const PREFIX: &str = "hmac-sha256:";

type HmacSha256 = Hmac<Sha256>;

/// The server key codes are hashed with.
#[derive(Clone)]
pub struct AccessKey {
    key: [u8; 32],
    /// What an unknown ticket is compared against.
    dummy: [u8; 32],
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKey(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{} is not a loket lookup key (64 hex digits); restore it from a backup, or remove it to make a new one (codes given so far then stop working)", .0.display())]
    Invalid(PathBuf),
    #[error("{} can be read by other users (mode {mode:o}): chmod 600 it", .path.display())]
    NotPrivate { path: PathBuf, mode: u32 },
}

impl AccessKey {
    /// The key of the data folder `data`, made (0600, durably) if there is
    /// none yet.
    pub fn load_or_create(data: &Path) -> Result<AccessKey, KeyError> {
        let path = data.join(KEY_FILE);
        let io = |source| KeyError::Io {
            path: path.clone(),
            source,
        };
        match fs::read_to_string(&path) {
            Ok(text) => {
                let mode = fs::metadata(&path).map_err(io)?.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(KeyError::NotPrivate { path, mode });
                }
                let key = parse_hex(text.trim()).ok_or_else(|| KeyError::Invalid(path.clone()))?;
                AccessKey::from_bytes(key).map_err(io)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| io(io::Error::other(e)))?;
                let text = format!("{}\n", hex::encode(key));
                replace_private(&path, text.as_bytes()).map_err(io)?;
                AccessKey::from_bytes(key).map_err(io)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// A key from its bytes (tests).
    pub fn from_bytes(key: [u8; 32]) -> io::Result<AccessKey> {
        let mut dummy = [0u8; 32];
        getrandom::fill(&mut dummy).map_err(io::Error::other)?;
        Ok(AccessKey { key, dummy })
    }

    fn mac(&self, ticket: &str, code: &str) -> HmacSha256 {
        // HMAC pads a key shorter than SHA-256's block with zeros: done
        // here, so that the constructor cannot fail.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.key);
        let mut mac = <HmacSha256 as KeyInit>::new(&block.into());
        mac.update(ticket.as_bytes());
        mac.update(b"\n");
        mac.update(code.as_bytes());
        mac
    }

    /// What the record stores for `code` of `ticket`.
    pub fn hash(&self, ticket: &str, code: &str) -> String {
        let tag = self.mac(ticket, code).finalize().into_bytes();
        format!("{PREFIX}{}", hex::encode(tag))
    }

    /// Whether `code` opens `ticket` whose record stores `stored` (`None`:
    /// no such record, or one without a code). The same work either way.
    pub fn verify(&self, ticket: &str, code: &str, stored: Option<&str>) -> bool {
        let expected = stored
            .and_then(|s| s.trim().strip_prefix(PREFIX))
            .and_then(parse_hex);
        let (against, real) = match expected {
            Some(tag) => (tag, true),
            None => (self.dummy, false),
        };
        let ok = self.mac(ticket, code).verify_slice(&against).is_ok();
        ok && real
    }
}

impl AccessKey {
    /// What the page of a case opened on `/cek-status/` hands back to send
    /// the citizen's reply until `expires` (Unix seconds), instead of the
    /// code: bound to the ticket and to the code it was opened with (the
    /// record's `stored` hash), so a new code ends it.
    pub fn reply_token(&self, ticket: &str, stored: &str, expires: i64) -> String {
        let tag = self
            .reply_mac(ticket, stored, expires)
            .finalize()
            .into_bytes();
        format!("{expires}.{}", hex::encode(tag))
    }

    /// Whether `token` came from [`AccessKey::reply_token`] for `ticket`
    /// and its record's `stored` hash, and is still good at `now`.
    pub fn verify_reply_token(
        &self,
        ticket: &str,
        stored: Option<&str>,
        token: &str,
        now: i64,
    ) -> bool {
        let Some((expires, tag)) = token.trim().split_once('.') else {
            return false;
        };
        let (Ok(expires), Some(tag)) = (expires.parse::<i64>(), parse_hex(tag)) else {
            return false;
        };
        let Some(stored) = stored.filter(|s| !s.trim().is_empty()) else {
            return false;
        };
        let ok = self
            .reply_mac(ticket, stored, expires)
            .verify_slice(&tag)
            .is_ok();
        ok && now <= expires
    }

    /// Kept apart from the codes' HMAC: "balas\n" never starts a ticket.
    fn reply_mac(&self, ticket: &str, stored: &str, expires: i64) -> HmacSha256 {
        self.mac(
            &format!("balas\n{ticket}"),
            &format!("{expires}\n{}", stored.trim()),
        )
    }
}

impl AccessKey {
    /// The key of a case's survey invitation ([`crate::survey::store`]):
    /// 32 hex digits derived from the ticket, so the link can be shown
    /// again on `/cek-status/` and in the final mail without being stored,
    /// and it is not the access code.
    pub fn survey_token(&self, ticket: &str) -> String {
        let tag = self
            .mac(&format!("survei\n{ticket}"), "")
            .finalize()
            .into_bytes();
        hex::encode(&tag[..16])
    }
}

/// Whether `text` has the shape of a survey token (32 lower-case hex digits).
pub fn is_survey_token(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// 32 bytes written as 64 hex digits.
fn parse_hex(text: &str) -> Option<[u8; 32]> {
    hex::FromHex::from_hex(text).ok()
}

/// A fresh code.
pub fn new_code() -> io::Result<String> {
    random_symbols(CODE_LEN)
}

/// A code as a person typed it ("kxm4 7prt", "KXM4-7PRT"): upper case,
/// spaces and dashes dropped; `None` unless it has the shape of a code.
pub fn normalize(text: &str) -> Option<String> {
    let code: String = typed(text).map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == CODE_LEN && code.bytes().all(is_symbol)).then_some(code)
}

/// How many symbols a typed code has, spaces, dashes and dots left out.
pub fn typed_len(text: &str) -> usize {
    typed(text).count()
}

/// The characters of a typed code but spaces, dashes and dots.
fn typed(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
}

/// The characters of a typed code that no code ever uses (`O`, `0`, `B`,
/// …), each once, in the order typed; empty when every one is used.
/// Spaces, dashes and dots are ignored as [`normalize`] ignores them.
pub fn unused_symbols(text: &str) -> Vec<char> {
    let mut unused = Vec::new();
    for c in typed(text).map(|c| c.to_ascii_uppercase()) {
        let used = c.is_ascii() && is_symbol(c as u8);
        if !used && !unused.contains(&c) {
            unused.push(c);
        }
    }
    unused
}

/// A code as it is shown: two groups of four ("KXM4 7PRT").
pub fn display(code: &str) -> String {
    match code.get(..4).zip(code.get(4..)) {
        Some((a, b)) if code.len() == CODE_LEN => format!("{a} {b}"),
        _ => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_tokens_are_bound_to_ticket_code_and_time() {
        let key = AccessKey::from_bytes([7; 32]).unwrap();
        let stored = key.hash("KP-20261127-CDFH", "CDFHJKMN");
        let token = key.reply_token("KP-20261127-CDFH", &stored, 1000);
        assert!(key.verify_reply_token("KP-20261127-CDFH", Some(&stored), &token, 1000));
        assert!(!key.verify_reply_token("KP-20261127-CDFH", Some(&stored), &token, 1001));
        assert!(!key.verify_reply_token("KP-20261127-CDFJ", Some(&stored), &token, 10));
        let other = key.hash("KP-20261127-CDFH", "CDFHJKMP");
        assert!(!key.verify_reply_token("KP-20261127-CDFH", Some(&other), &token, 10));
        assert!(!key.verify_reply_token("KP-20261127-CDFH", None, &token, 10));
        let later = token.replacen("1000.", "9000.", 1);
        assert!(!key.verify_reply_token("KP-20261127-CDFH", Some(&stored), &later, 10));
        assert!(!key.verify_reply_token("KP-20261127-CDFH", Some(&stored), "x", 10));
    }

    #[test]
    fn codes_hash_and_verify() {
        let key = AccessKey::from_bytes([7; 32]).unwrap();
        let code = new_code().unwrap();
        assert_eq!(code.len(), CODE_LEN);
        let stored = key.hash("KP-20261127-CDFH", &code);
        assert!(stored.starts_with("hmac-sha256:"), "{stored}");
        assert!(key.verify("KP-20261127-CDFH", &code, Some(&stored)));
        assert!(!key.verify("KP-20261127-CDFJ", &code, Some(&stored)));
        assert!(!key.verify("KP-20261127-CDFH", "CDFHJKMN", Some(&stored)));
        assert!(!key.verify("KP-20261127-CDFH", &code, None));
        assert!(!key.verify("KP-20261127-CDFH", &code, Some("garbage")));
        let other = AccessKey::from_bytes([8; 32]).unwrap();
        assert!(!other.verify("KP-20261127-CDFH", &code, Some(&stored)));
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(normalize("kxm4 7prt").as_deref(), Some("KXM47PRT"));
        assert_eq!(normalize(" KXM4-7PRT ").as_deref(), Some("KXM47PRT"));
        assert_eq!(normalize("KXM47PR"), None);
        assert_eq!(normalize("KXM47PRO"), None, "O is not in the alphabet");
        assert_eq!(unused_symbols("kxm4 0pro-o"), vec!['0', 'O']);
        assert!(unused_symbols("kxm4-7prt").is_empty());
        assert_eq!(display("KXM47PRT"), "KXM4 7PRT");
    }

    #[test]
    fn the_key_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = AccessKey::load_or_create(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let again = AccessKey::load_or_create(dir.path()).unwrap();
        let stored = first.hash("PL-20261127-CDFH", "CDFHJKMN");
        assert!(again.verify("PL-20261127-CDFH", "CDFHJKMN", Some(&stored)));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            AccessKey::load_or_create(dir.path()),
            Err(KeyError::NotPrivate { .. })
        ));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        // 64 characters, but not 64 hex digits: "+a" is no byte.
        for bad in ["short", "+a".repeat(32).as_str(), "g0".repeat(32).as_str()] {
            fs::write(&path, format!("{bad}\n")).unwrap();
            assert!(
                matches!(
                    AccessKey::load_or_create(dir.path()),
                    Err(KeyError::Invalid(_))
                ),
                "{bad}"
            );
        }
        // Upper-case hex is the same key.
        fs::write(&path, hex::encode_upper([7; 32])).unwrap();
        let seven = AccessKey::from_bytes([7; 32]).unwrap();
        let stored = seven.hash("PL-20261127-CDFH", "CDFHJKMN");
        let loaded = AccessKey::load_or_create(dir.path()).unwrap();
        assert!(loaded.verify("PL-20261127-CDFH", "CDFHJKMN", Some(&stored)));
    }
}
