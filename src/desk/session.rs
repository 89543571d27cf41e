//! Sessions of signed-in staff, in memory: a restart signs everyone out
//! (nothing secret is written to disk, and a restart is rare and planned).
//!
//! The cookie holds a random token of 256 bits; the server keeps only its
//! SHA-256, with the staff member's name, the stamp of the password they
//! signed in with ([`super::accounts::Account::stamp`]) and the session's
//! CSRF token. A session ends 30 minutes after its last request (the
//! desk's `--desk-idle-secs`), 8 hours after sign-in, on sign-out, and when
//! its account's password changes or the account is removed (checked on
//! every request).
//!
//! A session that ended by time is remembered (for [`LIFETIME`], at most
//! as many as live ones) as [`Sessions::ended`]: a form posted with its
//! cookie after it ended is kept for its staff member ([`super::kept`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::core::secret::random_hex;

/// A session unused this long ends.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in, used or not.
pub const LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
/// Sessions kept at most; past it the least recently used goes.
const MAX_SESSIONS: usize = 10_000;

/// What a request learns of its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The staff member's name as stored in `staff.yaml`.
    pub name: String,
    /// The stamp of the password signed in with.
    pub stamp: String,
    /// Every form of this session carries it.
    pub csrf: String,
}

struct Entry {
    session: Session,
    created: Instant,
    last: Instant,
}

impl Entry {
    fn alive(&self, now: Instant, idle: Duration) -> bool {
        now.saturating_duration_since(self.last) < idle
            && now.saturating_duration_since(self.created) < LIFETIME
    }
}

pub struct Sessions {
    by_hash: Mutex<HashMap<[u8; 32], Entry>>,
    /// Sessions that ended by time, with when they were seen ended.
    ended: Mutex<HashMap<[u8; 32], (Session, Instant)>>,
    idle: Duration,
}

impl Default for Sessions {
    fn default() -> Sessions {
        Sessions::new(IDLE)
    }
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    /// Sessions that end `idle` after their last request.
    pub fn new(idle: Duration) -> Sessions {
        Sessions {
            by_hash: Mutex::default(),
            ended: Mutex::default(),
            idle,
        }
    }

    /// How long a session may go unused.
    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// Starts a session; returns the cookie's token and the session.
    pub fn create(
        &self,
        name: &str,
        stamp: &str,
        now: Instant,
    ) -> Result<(String, Session), getrandom::Error> {
        let token = random_hex(32)?;
        let session = Session {
            name: name.to_string(),
            stamp: stamp.to_string(),
            csrf: random_hex(32)?,
        };
        let mut map = self.lock();
        if map.len() >= MAX_SESSIONS {
            let idle = self.idle;
            map.retain(|_, e| e.alive(now, idle));
        }
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map.iter().min_by_key(|(_, e)| e.last).map(|(k, _)| *k)
        {
            map.remove(&oldest);
        }
        map.insert(
            key(&token),
            Entry {
                session: session.clone(),
                created: now,
                last: now,
            },
        );
        Ok((token, session))
    }

    /// The live session of `token`, marked as used at `now`; an expired one
    /// is removed.
    pub fn get(&self, token: &str, now: Instant) -> Option<Session> {
        let k = key(token);
        let mut map = self.lock();
        let entry = map.get_mut(&k)?;
        if !entry.alive(now, self.idle) {
            if let Some(gone) = map.remove(&k) {
                drop(map);
                self.remember_ended(k, gone.session, now);
            }
            return None;
        }
        entry.last = now;
        Some(entry.session.clone())
    }

    /// Ends the session of `token`.
    pub fn remove(&self, token: &str) -> Option<Session> {
        self.lock().remove(&key(token)).map(|e| e.session)
    }

    /// Ends every session of the staff member `name` (compared as stored),
    /// and forgets the ones of theirs that ended.
    pub fn remove_all_of(&self, name: &str) {
        self.lock().retain(|_, e| e.session.name != name);
        self.lock_ended().retain(|_, (s, _)| s.name != name);
    }

    /// The session of `token` if it ended by time (within [`LIFETIME`] of
    /// being seen ended); not one that was signed out.
    pub fn ended(&self, token: &str, now: Instant) -> Option<Session> {
        let ended = self.lock_ended();
        let (session, at) = ended.get(&key(token))?;
        (now.saturating_duration_since(*at) < LIFETIME).then(|| session.clone())
    }

    fn remember_ended(&self, k: [u8; 32], session: Session, now: Instant) {
        let mut ended = self.lock_ended();
        if ended.len() >= MAX_SESSIONS {
            ended.retain(|_, (_, at)| now.saturating_duration_since(*at) < LIFETIME);
        }
        if ended.len() >= MAX_SESSIONS
            && let Some(oldest) = ended.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| *k)
        {
            ended.remove(&oldest);
        }
        ended.insert(k, (session, now));
    }

    fn lock_ended(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (Session, Instant)>> {
        self.ended.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
        self.by_hash.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_sessions_end_after_thirty_minutes() {
        let sessions = Sessions::default();
        let start = Instant::now();
        let (token, session) = sessions.create("Budi", "stamp", start).unwrap();
        assert_eq!(session.name, "Budi");
        let minute = Duration::from_secs(60);
        assert!(sessions.get(&token, start + 29 * minute).is_some());
        // Used at 29 minutes: alive until 59.
        assert!(sessions.get(&token, start + 58 * minute).is_some());
        assert!(sessions.ended(&token, start).is_none(), "still live");
        let end = start + 58 * minute + IDLE;
        assert!(sessions.get(&token, end).is_none());
        assert_eq!(sessions.len(), 0, "removed once seen expired");
        assert_eq!(sessions.ended(&token, end).unwrap().name, "Budi");
        assert!(sessions.ended(&token, end + LIFETIME).is_none());
        assert!(sessions.get("not a token", start).is_none());
    }

    #[test]
    fn sessions_end_eight_hours_after_sign_in_however_used() {
        let sessions = Sessions::default();
        let start = Instant::now();
        let (token, _) = sessions.create("Budi", "stamp", start).unwrap();
        let mut at = start;
        while at < start + LIFETIME - Duration::from_secs(600) {
            at += Duration::from_secs(600);
            assert!(sessions.get(&token, at).is_some());
        }
        assert!(sessions.get(&token, start + LIFETIME).is_none());
    }

    #[test]
    fn sign_out_and_removal_end_sessions() {
        let sessions = Sessions::default();
        let now = Instant::now();
        let (a, _) = sessions.create("Budi", "s", now).unwrap();
        let (b, _) = sessions.create("Budi", "s", now).unwrap();
        let (c, _) = sessions.create("Siti", "s", now).unwrap();
        assert!(sessions.remove(&a).is_some());
        assert!(sessions.get(&a, now).is_none());
        assert!(sessions.ended(&a, now).is_none(), "signed out, not ended");
        sessions.remove_all_of("Budi");
        assert!(sessions.get(&b, now).is_none());
        assert!(sessions.get(&c, now).is_some());
    }
}
