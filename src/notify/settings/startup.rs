//! The mail settings checked together at start-up
//! ([`MailSettings::from_options`], which `loket serve` and `loket config`
//! both run), the SMTP password read from its file.

use std::fmt;
use std::path::{Path, PathBuf};

use lettre::message::Mailbox;

use super::{DigestAt, PASSWORD_DOC, SmtpUrl};

/// The variable that once held the SMTP password, refused now: an
/// environment shows in `systemctl show` and is inherited by every child.
pub const PASSWORD_ENV: &str = "LOKET_SMTP_PASSWORD";

/// Where systemd puts a service's credentials (`LoadCredential=`).
const CREDENTIALS: &str = "/run/credentials/";

/// What is wrong with the mail settings. No message holds the password.
#[derive(Debug, thiserror::Error)]
pub enum MailSettingsError {
    #[error(
        "smtp_url is set but mail_from is not: name the sender, e.g. mail_from: \"Dinkopum Jombang <loket@jombangkab.go.id>\""
    )]
    NoSender,
    #[error(
        "{PASSWORD_ENV} is set: loket takes the SMTP password only from a file (smtp_password_file; with systemd: LoadCredential=smtp-password:/etc/loket/smtp-password and smtp_password_file: /run/credentials/loket.service/smtp-password; {PASSWORD_DOC}). Remove the variable"
    )]
    PasswordInEnvironment,
    #[error(
        "smtp_password_file is set but smtp_url names no user: write smtp://USER@relay… (an @ in the user written %40)"
    )]
    PasswordWithoutUser,
    #[error(
        "smtp_url names a user but no password is given: set smtp_password_file ({PASSWORD_DOC}), or take the user out of smtp_url"
    )]
    UserWithoutPassword,
    #[error(
        "the relay {server} is not on this machine and smtp_url does not require TLS, so the password would cross the network in clear text: use smtp://…:587?tls=required (STARTTLS) or smtps://…:465 (tls=opportunistic is not enough: STARTTLS can be stripped on the way)"
    )]
    AuthWithoutTls { server: String },
    #[error(
        "smtp_url is set but desk_url is not: staff mail links to the case on the desk, so give the desk's address as staff open it, e.g. desk_url: https://meja.dinas.go.id"
    )]
    NoDeskUrl,
    #[error(
        "smtp_url is set but the site's base_url {0} is this machine: citizens' mail would link there; set base_url in site.yaml to the site's public address"
    )]
    LocalBaseUrl(String),
    #[error("smtp_password_file {}: {problem}", path.display())]
    PasswordFile { path: PathBuf, problem: String },
}

/// The mail settings as the operator gave them, before they are checked.
#[derive(Debug, Clone, Default)]
pub struct MailOptions {
    pub smtp_url: Option<SmtpUrl>,
    pub smtp_password_file: Option<PathBuf>,
    pub mail_from: Option<Mailbox>,
    pub notify_to: Vec<Mailbox>,
    pub digest_at: DigestAt,
    pub desk_url: Option<String>,
}

/// Everything mail needs; present only when `smtp_url` is set.
#[derive(Clone)]
pub struct MailSettings {
    pub smtp: SmtpUrl,
    /// From `smtp_password_file`; never shown or logged.
    pub password: Option<String>,
    pub from: Mailbox,
    /// Staff who get the new-case mail and the digest (may be empty:
    /// then only citizens get mail).
    pub notify_to: Vec<Mailbox>,
    pub digest_at: DigestAt,
    /// `https://meja.dinas.go.id`: staff mail links to `/kasus/TICKET/` there
    /// (required: staff mail never names a shell command instead).
    pub desk_url: String,
}

impl MailSettings {
    /// The settings, checked: a sender, the password from its file (see
    /// [`read_password_file`]) and never from the environment, a user for
    /// it, and TLS whenever a password is sent to a relay that is not this
    /// machine. `env_password` is whether [`PASSWORD_ENV`] is set. `None`
    /// without `smtp_url` (mail off).
    pub fn from_options(
        options: MailOptions,
        env_password: bool,
    ) -> Result<Option<MailSettings>, MailSettingsError> {
        if env_password {
            return Err(MailSettingsError::PasswordInEnvironment);
        }
        let Some(smtp) = options.smtp_url else {
            return Ok(None);
        };
        let from = options.mail_from.ok_or(MailSettingsError::NoSender)?;
        let desk_url = options.desk_url.ok_or(MailSettingsError::NoDeskUrl)?;
        let password_file = options.smtp_password_file.as_deref();
        let password = password_file.map(read_password_file).transpose()?;
        match (password.is_some(), smtp.username().is_some()) {
            (true, false) => return Err(MailSettingsError::PasswordWithoutUser),
            (false, true) => return Err(MailSettingsError::UserWithoutPassword),
            _ => {}
        }
        if password.is_some() && !smtp.requires_tls() && !smtp.is_loopback() {
            return Err(MailSettingsError::AuthWithoutTls {
                server: smtp.server(),
            });
        }
        Ok(Some(MailSettings {
            smtp,
            password,
            from,
            notify_to: options.notify_to,
            digest_at: options.digest_at,
            desk_url,
        }))
    }
}

/// The password in `path`: a file that exists, that this user can read,
/// that no other user can (group and others may not read it; in systemd's
/// credentials folder the group bits are the mask of the ACL systemd gives
/// the service's user, so there only others count), and that is not
/// empty. Line ends at its end are not part of it.
pub fn read_password_file(path: &Path) -> Result<String, MailSettingsError> {
    use std::os::unix::fs::PermissionsExt;
    let problem = |problem: String| MailSettingsError::PasswordFile {
        path: path.to_path_buf(),
        problem,
    };
    let credential = path.starts_with(CREDENTIALS);
    let meta = std::fs::metadata(path).map_err(|e| {
        problem(match e.kind() {
            std::io::ErrorKind::NotFound if credential => format!(
                "does not exist: systemd writes it only for the service, while it runs, from the unit's LoadCredential= line (LoadCredential=smtp-password:/etc/loket/smtp-password in a drop-in: systemctl edit loket; {PASSWORD_DOC}); to check it from a shell, run `sudo loket config …` while loket runs"
            ),
            std::io::ErrorKind::NotFound => format!("does not exist ({PASSWORD_DOC})"),
            std::io::ErrorKind::PermissionDenied => {
                "cannot be reached by this user (run loket as its own user: sudo -u loket loket …)"
                    .to_string()
            }
            _ => e.to_string(),
        })
    })?;
    if !meta.is_file() {
        return Err(problem("is not a file".into()));
    }
    let mode = meta.permissions().mode() & 0o777;
    let others = if credential { 0o004 } else { 0o044 };
    if mode & others != 0 {
        return Err(problem(format!(
            "can be read by other users (mode {mode:03o}): chmod 600 it (owned by loket's user), or give it to the service with systemd's LoadCredential ({PASSWORD_DOC})"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        problem(match e.kind() {
            std::io::ErrorKind::PermissionDenied => format!(
                "cannot be read by this user (mode {mode:03o}): it must belong to loket's user, and `loket config` be run as that user (sudo -u loket loket config …) or as root"
            ),
            std::io::ErrorKind::InvalidData => "is not text (UTF-8)".to_string(),
            _ => e.to_string(),
        })
    })?;
    let password = text.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(problem(
            "is empty: write the password in it, on one line".into(),
        ));
    }
    Ok(password.to_string())
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp", &self.smtp)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field("from", &self.from.to_string())
            .field("notify_to", &self.notify_to.len())
            .field("digest_at", &self.digest_at)
            .field("desk_url", &self.desk_url)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::settings::mailbox;

    fn options(url: &str, password_file: Option<&Path>) -> MailOptions {
        MailOptions {
            smtp_url: Some(url.parse().unwrap()),
            smtp_password_file: password_file.map(Path::to_path_buf),
            mail_from: Some(mailbox("loket@contoh.go.id").unwrap()),
            desk_url: Some("https://meja.contoh.go.id".into()),
            ..MailOptions::default()
        }
    }

    #[test]
    fn mail_needs_the_desk_url() {
        let without = MailOptions {
            desk_url: None,
            ..options("smtp://10.1.2.3:25", None)
        };
        let err = MailSettings::from_options(without, false).err().unwrap();
        assert!(matches!(err, MailSettingsError::NoDeskUrl), "{err}");
        assert!(err.to_string().contains("desk_url"), "{err}");
    }

    #[test]
    fn a_password_needs_tls_unless_the_relay_is_this_machine() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smtp-password");
        std::fs::write(&file, "rahasia\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let check = |url: &str| MailSettings::from_options(options(url, Some(&file)), false);
        for refused in [
            "smtp://loket@smtp.example.go.id:587",
            "smtp://loket@smtp.example.go.id:587?tls=opportunistic",
            "smtp://loket@10.1.2.3:25",
        ] {
            let err = check(refused).unwrap_err();
            assert!(
                matches!(err, MailSettingsError::AuthWithoutTls { .. }),
                "{refused}: {err}"
            );
            assert!(err.to_string().contains("clear text"), "{err}");
        }
        for allowed in [
            "smtp://loket@smtp.example.go.id:587?tls=required",
            "smtps://loket@smtp.example.go.id:465",
            "smtp://loket@127.0.0.1:25",
            "smtp://loket@localhost:25",
            "smtp://loket@[::1]:25",
        ] {
            let settings = check(allowed).unwrap().unwrap();
            assert_eq!(settings.password.as_deref(), Some("rahasia"), "{allowed}");
        }
        // Without a password there is no AUTH, so no TLS is needed.
        assert!(
            MailSettings::from_options(options("smtp://10.1.2.3:25", None), false)
                .unwrap()
                .is_some()
        );
        assert!(matches!(
            MailSettings::from_options(options("smtp://loket@10.1.2.3:25", None), false),
            Err(MailSettingsError::UserWithoutPassword)
        ));
        assert!(matches!(
            check("smtp://smtp.example.go.id:587?tls=required"),
            Err(MailSettingsError::PasswordWithoutUser)
        ));
        assert!(matches!(
            MailSettings::from_options(MailOptions::default(), true),
            Err(MailSettingsError::PasswordInEnvironment)
        ));
    }

    #[test]
    fn the_password_file_must_exist_be_private_and_hold_something() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smtp-password");
        let said = |path: &Path| read_password_file(path).unwrap_err().to_string();
        assert!(said(&file).contains("does not exist"), "{}", said(&file));
        let credential = Path::new("/run/credentials/loket.service/smtp-password");
        if !credential.exists() {
            assert!(
                said(credential).contains("LoadCredential="),
                "{}",
                said(credential)
            );
        }
        std::fs::write(&file, "rahasia\r\n").unwrap();
        for (mode, ok) in [(0o600, true), (0o400, true), (0o640, false), (0o604, false)] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            match read_password_file(&file) {
                Ok(password) => assert!(ok && password == "rahasia", "{mode:o}"),
                Err(e) => {
                    assert!(!ok, "{mode:o}: {e}");
                    assert!(e.to_string().contains(&format!("mode {mode:03o}")), "{e}");
                }
            }
        }
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&file, "\n").unwrap();
        assert!(said(&file).contains("is empty"), "{}", said(&file));
        assert!(
            said(dir.path()).contains("is not a file"),
            "{}",
            said(dir.path())
        );
    }
}
