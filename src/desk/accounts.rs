//! Staff accounts: `data/staff.yaml` (0600), one entry per person with an
//! argon2id hash of the password (the `argon2` crate's default parameters:
//! 19 MiB, 2 passes, 1 lane, the OWASP minimum). There is no default
//! account: `loket staff add NAME` makes the first one.
//!
//! The file is changed only by `loket staff`, under an exclusive lock on
//! the data folder, and replaced atomically. The server reads it on every
//! desk request: a session remembers a *stamp* of the hash it signed in
//! with, so `staff passwd` (a new hash) and `staff remove` (no account)
//! end that person's sessions, although they run in another process.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use rustix::fs::{FlockOperation, flock};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::cases::record::format_timestamp;
use crate::core::fs::{create_private_dir, replace_private};
use crate::core::yaml;

use super::profile::{self, Changed, Settings};

/// The accounts file in the data folder.
pub const STAFF_FILE: &str = "staff.yaml";
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes (hashing a megabyte is work for nothing).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {message}", .path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{0:?} is not a usable name: 1 to {MAX_NAME_CHARS} letters, digits, spaces, '.', '-', '_' or an apostrophe, starting with a letter or digit"
    )]
    BadName(String),
    #[error("there is already an account named {0:?} (names are compared ignoring case)")]
    Exists(String),
    #[error("there is no account named {0:?}")]
    NoSuchAccount(String),
    #[error("the password is too short: at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("the password is too long: at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("{0:?} is not a NIP: a NIP is 18 digits (spaces between them are dropped)")]
    BadNip(String),
    #[error("the {what} is too long or has control characters: at most {max} characters")]
    BadText { what: &'static str, max: usize },
    #[error("{0:?} is not a form of this site (its forms: {1})")]
    UnknownForm(String, String),
    #[error("an account needs at least one role: petugas, pengelola-pengaduan, pimpinan or admin")]
    NoRole,
    #[error("no account would be left with the admin role; give it to another account first")]
    LastAdmin,
}

/// What a staff member may do on the desk (issue 28). An account holds
/// one or more; one from before roles holds none until it is given some.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Works the cases of the forms assigned to them (all when none are),
    /// except confidential ones.
    Petugas,
    /// The Pejabat Pengelola Pengaduan (UU 25/2009, PermenPAN-RB 62/2018):
    /// also sees and works confidential complaints.
    PengelolaPengaduan,
    /// Kepala Dinas, Kepala Bidang: reads the inbox, the cases and the
    /// reports, takes no step, sees no NIK and no KTP.
    Pimpinan,
    /// Staff accounts and settings; no cases unless also another role.
    Admin,
    /// Edits the public site's pages and files on the desk (issue 30); no
    /// cases unless also another role.
    Penyunting,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Petugas,
        Role::PengelolaPengaduan,
        Role::Pimpinan,
        Role::Admin,
        Role::Penyunting,
    ];

    /// As `staff.yaml` and `--role` write it.
    pub fn id(self) -> &'static str {
        match self {
            Role::Petugas => "petugas",
            Role::PengelolaPengaduan => "pengelola-pengaduan",
            Role::Pimpinan => "pimpinan",
            Role::Admin => "admin",
            Role::Penyunting => "penyunting",
        }
    }

    /// As the desk shows it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Petugas => "Petugas",
            Role::PengelolaPengaduan => "Pejabat pengelola pengaduan",
            Role::Pimpinan => "Pimpinan",
            Role::Admin => "Admin",
            Role::Penyunting => "Penyunting",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.id() == text.trim())
            .ok_or_else(|| {
                format!("{text:?} is not a role: petugas, pengelola-pengaduan, pimpinan, admin or penyunting")
            })
    }
}

/// One staff member.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    /// The argon2id hash in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub password: String,
    #[serde(default)]
    pub added: String,
    #[serde(default)]
    pub changed: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// The forms a petugas works (their ids); empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
    /// The full name documents and the case history show (never the login).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub full_name: String,
    /// Nomor Induk Pegawai: 18 digits ("" for staff without one).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nip: String,
    /// The position (jabatan), e.g. "Analis Pemberdayaan Usaha Mikro".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub position: String,
}

impl Account {
    /// What a session remembers of the password it signed in with: a new
    /// password (a new salt, so a new hash) gives a new stamp.
    pub fn stamp(&self) -> String {
        format!("{:x}", Sha256::digest(self.password.as_bytes()))
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffFile {
    #[serde(default)]
    staff: Vec<Account>,
}

const HEADER: &str = "# loket staff accounts, written by `loket staff` and the desk's staff page.\n\
# Passwords are argon2id hashes. Keep this file private (0600); do not edit by hand.\n";

fn path_of(data: &Path) -> PathBuf {
    data.join(STAFF_FILE)
}

/// Every account (none when the file does not exist yet).
pub fn load(data: &Path) -> Result<Vec<Account>, AccountError> {
    let path = path_of(data);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(AccountError::Io { path, source }),
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let file: StaffFile = yaml::from_str(&text).map_err(|e| AccountError::Invalid {
        path: path.clone(),
        message: match e.line {
            Some(line) => format!("line {line}: {}", e.message),
            None => e.message,
        },
    })?;
    Ok(file.staff)
}

/// The account called `name`, ignoring case and surrounding spaces.
pub fn find<'a>(accounts: &'a [Account], name: &str) -> Option<&'a Account> {
    let wanted = name_key(name);
    accounts.iter().find(|a| name_key(&a.name) == wanted)
}

/// How names are compared: trimmed, lower case, single spaces.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A name as it will be stored and shown in histories: trimmed, one space
/// between words, only characters that are safe in a log line.
pub fn check_name(name: &str) -> Result<String, AccountError> {
    let clean = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '\'');
    let ok = !clean.is_empty()
        && clean.chars().count() <= MAX_NAME_CHARS
        && clean.chars().all(allowed)
        && clean.chars().next().is_some_and(char::is_alphanumeric);
    if ok {
        Ok(clean)
    } else {
        Err(AccountError::BadName(name.to_string()))
    }
}

pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::TooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::TooShort);
    }
    Ok(())
}

/// An argon2id hash of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC hash `stored` (a hash that does not
/// parse matches nothing).
fn matches(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a random password with the same parameters as real ones: an
/// unknown name is checked against it, so it costs the same time as a
/// wrong password.
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 24];
    let _ = getrandom::fill(&mut secret);
    hash(&hex::encode(secret)).unwrap_or_default()
});

/// Computes the unknown-name hash now rather than at the first sign-in.
pub fn warm_up() {
    LazyLock::force(&DUMMY);
}

/// The account that `name` and `password` sign in as, if any. Always runs
/// exactly one argon2id verification (against a dummy hash for an unknown
/// name), so the time taken does not tell a wrong password from an unknown
/// account.
pub fn verify(accounts: &[Account], name: &str, password: &str) -> Option<Account> {
    if password.len() > MAX_PASSWORD_BYTES {
        // Refused without hashing whatever the name: no account has one.
        return None;
    }
    match find(accounts, name) {
        Some(account) => matches(&account.password, password).then(|| account.clone()),
        None => {
            let _ = matches(&DUMMY, password);
            None
        }
    }
}

/// Reads, changes and writes the accounts file under an exclusive lock on
/// the data folder (created private if missing). Accounts from before
/// roles are given theirs first ([`profile::assign_missing_roles`]); their
/// names are returned, with what `edit` returned.
pub(super) fn change<T>(
    data: &Path,
    edit: impl FnOnce(&mut Vec<Account>) -> Result<T, AccountError>,
) -> Result<(T, Vec<String>), AccountError> {
    let io_at = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AccountError::Io { path, source }
    };
    create_private_dir(data).map_err(io_at(data))?;
    let lock = File::open(data).map_err(io_at(data))?;
    flock(&lock, FlockOperation::LockExclusive).map_err(|e| io_at(data)(e.into()))?;
    let mut accounts = load(data)?;
    let given = profile::assign_missing_roles(&mut accounts);
    let edited = edit(&mut accounts)?;
    let body =
        yaml::to_string(&StaffFile { staff: accounts }).map_err(|e| AccountError::Invalid {
            path: path_of(data),
            message: e.message,
        })?;
    let path = path_of(data);
    replace_private(&path, format!("{HEADER}{body}").as_bytes()).map_err(io_at(&path))?;
    Ok((edited, given))
}

/// Adds an account with `settings` ([`Settings::checked`]; without roles:
/// [`profile::default_roles`]). Returns what it set, named as stored.
pub fn add(
    data: &Path,
    name: &str,
    password: &str,
    settings: &Settings,
    now: OffsetDateTime,
) -> Result<Changed, AccountError> {
    let name = check_name(name)?;
    check_password(password)?;
    let hashed = hash(password)?;
    let stamp = format_timestamp(now);
    let (added, _) = change(data, |accounts| {
        if let Some(existing) = find(accounts, &name) {
            return Err(AccountError::Exists(existing.name.clone()));
        }
        let mut account = Account {
            name: name.clone(),
            password: hashed,
            added: stamp.clone(),
            changed: stamp,
            roles: profile::default_roles(accounts.is_empty()),
            forms: Vec::new(),
            full_name: String::new(),
            nip: String::new(),
            position: String::new(),
        };
        let added = settings.apply(&mut account);
        accounts.push(account);
        Ok(added)
    })?;
    Ok(added)
}

/// Sets a new password. Returns the name as stored.
pub fn set_password(
    data: &Path,
    name: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<String, AccountError> {
    check_password(password)?;
    let hashed = hash(password)?;
    let (stored, _) = change(data, |accounts| {
        let wanted = name_key(name);
        let account = accounts
            .iter_mut()
            .find(|a| name_key(&a.name) == wanted)
            .ok_or_else(|| AccountError::NoSuchAccount(name.to_string()))?;
        account.password = hashed;
        account.changed = format_timestamp(now);
        Ok(account.name.clone())
    })?;
    Ok(stored)
}

/// Removes an account. Returns the name as it was stored.
pub fn remove(data: &Path, name: &str) -> Result<String, AccountError> {
    let (stored, _) = change(data, |accounts| {
        let wanted = name_key(name);
        let at = accounts
            .iter()
            .position(|a| name_key(&a.name) == wanted)
            .ok_or_else(|| AccountError::NoSuchAccount(name.to_string()))?;
        Ok(accounts.remove(at).name)
    })?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn now() -> OffsetDateTime {
        crate::cases::parse_local_time("2026-12-01 08:00").unwrap()
    }

    #[test]
    fn names_are_checked_and_compared_ignoring_case() {
        assert_eq!(check_name("  Budi   Santoso ").unwrap(), "Budi Santoso");
        assert_eq!(check_name("siti.a").unwrap(), "siti.a");
        assert_eq!(check_name("Nur'aini").unwrap(), "Nur'aini");
        // Any white space is one space: a tab never reaches a log line.
        assert_eq!(check_name("budi\tx").unwrap(), "budi x");
        for bad in ["", " ", "-budi", "budi\u{7}", "a:b", "<b>", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(name_key(" Budi  SANTOSO"), "budi santoso");
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(matches!(
            check_password("elevenchars"),
            Err(AccountError::TooShort)
        ));
        assert!(check_password("twelve chars").is_ok());
        // Characters, not bytes.
        assert!(check_password("ééééééééééé").is_err());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }

    #[test]
    fn accounts_are_added_changed_and_removed_privately() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let none = Settings::default();
        add(&data, "Budi", "kata sandi panjang", &none, now()).unwrap();
        assert!(matches!(
            add(&data, "budi", "kata sandi lain sekali", &none, now()),
            Err(AccountError::Exists(_))
        ));
        let mode = std::fs::metadata(data.join(STAFF_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(data.join(STAFF_FILE)).unwrap();
        assert!(text.contains("$argon2id$"), "{text}");
        assert!(!text.contains("kata sandi panjang"));

        let accounts = load(&data).unwrap();
        let budi = verify(&accounts, "BUDI", "kata sandi panjang").unwrap();
        assert_eq!(budi.name, "Budi");
        assert!(verify(&accounts, "Budi", "kata sandi salah!").is_none());
        assert!(verify(&accounts, "Nobody", "kata sandi panjang").is_none());

        let stamp = budi.stamp();
        set_password(&data, "budi", "kata sandi yang baru", now()).unwrap();
        let accounts = load(&data).unwrap();
        assert_ne!(find(&accounts, "Budi").unwrap().stamp(), stamp);
        assert!(verify(&accounts, "Budi", "kata sandi panjang").is_none());
        assert!(verify(&accounts, "Budi", "kata sandi yang baru").is_some());

        assert_eq!(remove(&data, "BUDI").unwrap(), "Budi");
        assert!(load(&data).unwrap().is_empty());
        assert!(matches!(
            remove(&data, "Budi"),
            Err(AccountError::NoSuchAccount(_))
        ));
    }

    #[test]
    fn the_dummy_hash_has_the_real_parameters() {
        let real = hash("kata sandi panjang").unwrap();
        let params = |h: &str| h.split('$').nth(3).unwrap().to_string();
        assert_eq!(params(&DUMMY), params(&real));
        assert!(DUMMY.starts_with("$argon2id$"));
    }
}
