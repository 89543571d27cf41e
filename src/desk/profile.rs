//! Staff roles and profiles (issue 28): the roles, forms, full name, NIP
//! and position each account carries, how they are checked and changed
//! ([`Settings`], [`update`], the same for `loket staff` and the desk's
//! staff page), the roles of accounts from before roles ([`migrate`]), and
//! how other code names a staff member: [`signer`] for a document's
//! signature block, [`shown`] for a page or a case's history (never the
//! login, unless the profile is empty).

use std::path::Path;

use super::accounts::{self, Account, AccountError, Role};
use crate::office::config::Signatory;
use crate::work::audit::Action;

/// Longest full name, in characters.
pub const MAX_FULL_NAME_CHARS: usize = 100;
/// Longest position, in characters.
pub const MAX_POSITION_CHARS: usize = 150;
/// Digits in a NIP.
pub const NIP_DIGITS: usize = 18;

/// A NIP as stored: its 18 digits, spaces dropped ("" stays "": staff
/// without one).
pub fn check_nip(typed: &str) -> Result<String, AccountError> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let ok = digits.is_empty()
        || (digits.len() == NIP_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()));
    match ok {
        true => Ok(digits),
        false => Err(AccountError::BadNip(typed.to_string())),
    }
}

/// A full name or position as stored: trimmed, one space between words, no
/// control characters, at most `max` characters.
pub fn check_text(what: &'static str, typed: &str, max: usize) -> Result<String, AccountError> {
    let clean = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() > max || clean.chars().any(char::is_control) {
        return Err(AccountError::BadText { what, max });
    }
    Ok(clean)
}

/// Who signs as `login`: the account's full name, NIP and position (the
/// login for the name when the profile has none, and for an account that
/// is gone).
pub fn signer_of(accounts: &[Account], login: &str) -> Signatory {
    match accounts::find(accounts, login) {
        Some(a) => Signatory {
            name: match a.full_name.as_str() {
                "" => a.name.clone(),
                full => full.to_string(),
            },
            nip: a.nip.clone(),
            position: a.position.clone(),
        },
        None => Signatory {
            name: login.to_string(),
            ..Signatory::default()
        },
    }
}

/// [`signer_of`] from the accounts file in `data` (for the documents).
pub fn signer(data: &Path, login: &str) -> Result<Signatory, AccountError> {
    Ok(signer_of(&accounts::load(data)?, login))
}

/// How pages and histories name `login`: "Rina Wulandari (Analis
/// Pelayanan)", the full name alone without a position, the login without
/// a profile.
pub fn shown(accounts: &[Account], login: &str) -> String {
    let s = signer_of(accounts, login);
    match s.position.as_str() {
        "" => s.name,
        position => format!("{} ({position})", s.name),
    }
}

/// What `staff add`, `staff set` and the staff page set; `None` leaves a
/// setting as it is (for a new account: its default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub roles: Option<Vec<Role>>,
    /// The forms (ids) the account works; empty: all.
    pub forms: Option<Vec<String>>,
    pub full_name: Option<String>,
    pub nip: Option<String>,
    pub position: Option<String>,
}

impl Settings {
    /// The settings checked and as stored; `forms` must be among `known`.
    pub fn checked(self, known: &[String]) -> Result<Settings, AccountError> {
        let mut roles = self.roles;
        if let Some(roles) = &mut roles {
            roles.sort_unstable();
            roles.dedup();
            if roles.is_empty() {
                return Err(AccountError::NoRole);
            }
        }
        let mut forms = self.forms;
        if let Some(forms) = &mut forms {
            forms.retain(|f| !f.trim().is_empty());
            if let Some(f) = forms.iter().find(|f| !known.iter().any(|k| k == f.trim())) {
                return Err(AccountError::UnknownForm(f.clone(), known.join(", ")));
            }
            forms.iter_mut().for_each(|f| *f = f.trim().to_string());
            forms.sort_unstable();
            forms.dedup();
        }
        Ok(Settings {
            roles,
            forms,
            full_name: match self.full_name {
                Some(t) => Some(check_text("full name", &t, MAX_FULL_NAME_CHARS)?),
                None => None,
            },
            nip: self.nip.as_deref().map(check_nip).transpose()?,
            position: match self.position {
                Some(t) => Some(check_text("position", &t, MAX_POSITION_CHARS)?),
                None => None,
            },
        })
    }

    /// Sets what is set on `account`; what changed, for the audit log.
    pub(super) fn apply(&self, account: &mut Account) -> Changed {
        let mut changed = Changed {
            name: account.name.clone(),
            ..Changed::default()
        };
        if let Some(roles) = self.roles.as_ref().filter(|r| **r != account.roles) {
            account.roles = roles.clone();
            changed.roles = true;
        }
        if let Some(forms) = self.forms.as_ref().filter(|f| **f != account.forms) {
            account.forms = forms.clone();
            changed.roles = true;
        }
        let texts = [
            ("full-name", &self.full_name, &mut account.full_name),
            ("nip", &self.nip, &mut account.nip),
            ("position", &self.position, &mut account.position),
        ];
        for (what, new, old) in texts {
            if let Some(new) = new.as_ref().filter(|n| *n != old) {
                *old = new.clone();
                changed.profile.push(what);
            }
        }
        changed.now = (account.roles.clone(), account.forms.clone());
        changed
    }
}

/// What [`update`] (or adding an account) changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    pub name: String,
    /// The roles or forms changed.
    pub roles: bool,
    /// The profile fields that changed ("full-name", "nip", "position").
    pub profile: Vec<&'static str>,
    /// The roles and forms as they are now.
    now: (Vec<Role>, Vec<String>),
}

impl Changed {
    /// "petugas,admin" and "forms permohonan" (or "all forms").
    pub fn roles_text(&self) -> String {
        let roles: Vec<&str> = self.now.0.iter().map(|r| r.id()).collect();
        match self.now.1.as_slice() {
            [] => format!("{} all forms", roles.join(",")),
            forms => format!("{} forms {}", roles.join(","), forms.join(",")),
        }
    }

    /// The audit lines of the change (of a new account when `added`):
    /// action and detail (logins, roles, form ids and which profile fields
    /// changed; never their values).
    pub fn audit(&self, added: bool) -> Vec<(Action, String)> {
        let mut lines = Vec::new();
        let roles = format!("account {} roles {}", self.name, self.roles_text());
        match (added, self.roles) {
            (true, _) => lines.push((Action::AccountAdded, roles)),
            (false, true) => lines.push((Action::RolesChanged, roles)),
            (false, false) => {}
        }
        if !self.profile.is_empty() {
            let detail = format!("account {} {}", self.name, self.profile.join(","));
            lines.push((Action::ProfileChanged, detail));
        }
        lines
    }
}

/// The roles of a new account given none: petugas and admin for the first
/// account, petugas for the others (as [`migrate`] gives them).
pub fn default_roles(first: bool) -> Vec<Role> {
    match first {
        true => vec![Role::Petugas, Role::Admin],
        false => vec![Role::Petugas],
    }
}

/// Gives roles to the accounts that have none (from before roles): by
/// [`default_roles`], the first account in the file being the first only
/// when no account has roles yet. Their names.
pub(super) fn assign_missing_roles(accounts: &mut [Account]) -> Vec<String> {
    let fresh = accounts.iter().all(|a| a.roles.is_empty());
    let mut given = Vec::new();
    for (i, account) in accounts.iter_mut().enumerate() {
        if account.roles.is_empty() {
            account.roles = default_roles(fresh && i == 0);
            given.push(account.name.clone());
        }
    }
    if !given.is_empty() {
        // Logins are staff's, not citizens' data.
        tracing::info!(
            target: "loket::staff",
            "staff accounts from before roles were given roles: {} (the first account petugas and admin, the others petugas)",
            given.join(", ")
        );
    }
    given
}

/// Writes roles into `staff.yaml` for the accounts that have none, under
/// the accounts file's lock (`loket serve` does at start; any change by
/// `loket staff` does too). The names of those accounts.
pub fn migrate(data: &Path) -> Result<Vec<String>, AccountError> {
    if accounts::load(data)?.iter().all(|a| !a.roles.is_empty()) {
        return Ok(Vec::new());
    }
    accounts::change(data, |_| Ok(())).map(|((), given)| given)
}

/// Changes the roles, forms or profile of the account `name` (checked
/// settings, [`Settings::checked`]); refuses to leave no admin.
pub fn update(data: &Path, name: &str, settings: &Settings) -> Result<Changed, AccountError> {
    let (changed, _) = accounts::change(data, |all| {
        let had_admin = all.iter().any(|a| a.roles.contains(&Role::Admin));
        let wanted = accounts::name_key(name);
        let account = all
            .iter_mut()
            .find(|a| accounts::name_key(&a.name) == wanted)
            .ok_or_else(|| AccountError::NoSuchAccount(name.to_string()))?;
        let changed = settings.apply(account);
        if had_admin && !all.iter().any(|a| a.roles.contains(&Role::Admin)) {
            return Err(AccountError::LastAdmin);
        }
        Ok(changed)
    })?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nips_are_eighteen_digits() {
        assert_eq!(
            check_nip("19800101 200501 1 001").unwrap(),
            "198001012005011001"
        );
        assert_eq!(check_nip("").unwrap(), "");
        for bad in [
            "1980010120050110",
            "19800101200501100A",
            "１９８００１０１２００５０１１００１",
        ] {
            assert!(check_nip(bad).is_err(), "{bad}");
        }
        let e = check_nip("123").unwrap_err().to_string();
        assert!(e.contains("18 digits"), "{e}");
    }

    fn account(name: &str, roles: &[Role]) -> Account {
        let mut a: Account =
            serde_json::from_str(&format!(r#"{{"name":"{name}","password":"x"}}"#)).unwrap();
        a.roles = roles.to_vec();
        a
    }

    #[test]
    fn accounts_from_before_roles_are_given_theirs() {
        let mut old = vec![account("budi", &[]), account("siti", &[])];
        assert_eq!(assign_missing_roles(&mut old), ["budi", "siti"]);
        assert_eq!(old[0].roles, [Role::Petugas, Role::Admin]);
        assert_eq!(old[1].roles, [Role::Petugas]);
        assert!(assign_missing_roles(&mut old).is_empty(), "once");
        // Beside accounts that have roles, none becomes admin by position.
        let mut mixed = vec![account("agus", &[]), account("dewi", &[Role::Admin])];
        assign_missing_roles(&mut mixed);
        assert_eq!(mixed[0].roles, [Role::Petugas]);
    }

    #[test]
    fn staff_are_named_by_their_profile() {
        let mut a: Account = serde_json::from_str(
            r#"{"name":"rina","password":"x","full_name":"Rina Wulandari","position":"Analis"}"#,
        )
        .unwrap();
        assert_eq!(
            shown(std::slice::from_ref(&a), "RINA"),
            "Rina Wulandari (Analis)"
        );
        a.full_name.clear();
        a.position.clear();
        assert_eq!(shown(&[a], "rina"), "rina");
        assert_eq!(shown(&[], "budi"), "budi");
    }
}
