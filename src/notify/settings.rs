//! The operator's mail settings, each parsed by the value parser of its
//! `loket serve` option (so a bad value in loket.yaml names its line), and
//! checked together by [`MailSettings::from_options`], which `loket serve`
//! and `loket config` both run.

use std::ffi::OsStr;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lettre::message::Mailbox;
use url::{Host, Url};

/// Where mail goes: `smtp://relay.example:587?tls=required` (STARTTLS),
/// `smtps://relay.example:465` (TLS from the start), `smtp://127.0.0.1:25`
/// (plain, for a relay on this machine). A user name may be in it
/// (`smtp://loket@relay…`); a password never is (it comes from
/// `smtp_password_file` alone), and no error shows the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(Url);

impl SmtpUrl {
    /// The user name in the URL, decoded.
    pub fn username(&self) -> Option<String> {
        let user = self.0.username();
        (!user.is_empty()).then(|| {
            percent_encoding::percent_decode_str(user)
                .decode_utf8_lossy()
                .into_owned()
        })
    }

    /// The URL as lettre reads it.
    pub(crate) fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `relay.example:587`, for logs.
    pub fn server(&self) -> String {
        let host = self.0.host_str().unwrap_or("?");
        match self.0.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    /// Whether the connection is encrypted before anything else is said:
    /// `smtps://`, or `smtp://…?tls=required` (STARTTLS or nothing).
    /// `tls=opportunistic` is not: whoever sits on the path can strip the
    /// STARTTLS offer.
    pub fn requires_tls(&self) -> bool {
        self.0.scheme() == "smtps"
            || self
                .0
                .query_pairs()
                .any(|(key, value)| key == "tls" && value == "required")
    }

    /// Whether the relay is this machine: `localhost` or a loopback
    /// address written as such (a name that merely resolves to one is not).
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            // smtp is not a scheme the url crate knows, so an IPv4 address
            // comes as a name.
            Some(Host::Domain(name)) => match name.parse::<IpAddr>() {
                Ok(ip) => ip.is_loopback(),
                Err(_) => name.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
            },
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        }
    }
}

/// The value parser of `--smtp-url`: clap's own would echo the value in
/// its error ("invalid value 'smtp://user:secret@…'"), this one never does.
pub fn smtp_url_parser() -> impl clap::builder::TypedValueParser<Value = SmtpUrl> {
    SmtpUrlParser
}

#[derive(Clone, Copy)]
struct SmtpUrlParser;

impl clap::builder::TypedValueParser for SmtpUrlParser {
    type Value = SmtpUrl;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<SmtpUrl, clap::Error> {
        let text = value.to_str().ok_or_else(|| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidUtf8,
                "smtp_url is not valid UTF-8\n",
            )
            .with_cmd(cmd)
        })?;
        text.parse::<SmtpUrl>().map_err(|e| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n"))
                .with_cmd(cmd)
        })
    }
}

impl FromStr for SmtpUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<SmtpUrl, String> {
        let example = "(examples: smtp://relay.example.go.id:587?tls=required, smtps://relay.example.go.id:465, smtp://127.0.0.1:25)";
        // No message below quotes `text`: it may hold a password.
        let url = Url::parse(text.trim())
            .map_err(|e| format!("smtp_url is not a URL ({e}) {example}"))?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(format!(
                "smtp_url's scheme must be smtp or smtps, not {:?} {example}",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("smtp_url names no server {example}"));
        }
        if url.password().is_some() {
            return Err(format!(
                "no password in smtp_url: it would show in `ps`, `systemctl show`, the journal and copies of /etc; put it in smtp_password_file, a file only loket's user reads ({PASSWORD_DOC})"
            ));
        }
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "required" | "opportunistic") if url.scheme() == "smtp" => {}
                ("tls", other) => {
                    return Err(format!(
                        "tls={other:?}: use smtp://…?tls=required (STARTTLS) or smtps:// (TLS from the start)"
                    ));
                }
                (other, _) => {
                    return Err(format!("smtp_url: unknown parameter {other:?} {example}"));
                }
            }
        }
        Ok(SmtpUrl(url))
    }
}

/// The URL (it holds no password: [`SmtpUrl::from_str`] refuses one).
impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({self})")
    }
}

/// A mail address with an optional name: `Dinkopum Jombang
/// <loket@jombangkab.go.id>` or `petugas@jombangkab.go.id`.
pub fn mailbox(text: &str) -> Result<Mailbox, String> {
    text.trim().parse::<Mailbox>().map_err(|e| {
        format!("{text:?} is not a mail address (example: Dinkopum <loket@jombangkab.go.id>): {e}")
    })
}

/// When the daily digest goes out, in WIB: `07:00`, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAt {
    At { hour: u8, minute: u8 },
    Off,
}

impl Default for DigestAt {
    fn default() -> Self {
        DigestAt::At { hour: 7, minute: 0 }
    }
}

impl FromStr for DigestAt {
    type Err = String;

    fn from_str(text: &str) -> Result<DigestAt, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(DigestAt::Off);
        }
        let bad = || format!("{text:?} is not a time of day as HH:MM (07:00), or off");
        let (h, m) = text.split_once([':', '.']).ok_or_else(bad)?;
        let hour: u8 = h.parse().map_err(|_| bad())?;
        let minute: u8 = m.parse().map_err(|_| bad())?;
        if hour > 23 || minute > 59 || m.len() != 2 {
            return Err(bad());
        }
        Ok(DigestAt::At { hour, minute })
    }
}

impl fmt::Display for DigestAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestAt::At { hour, minute } => write!(f, "{hour:02}:{minute:02}"),
            DigestAt::Off => f.write_str("off"),
        }
    }
}

/// The staff desk's address as staff open it (`https://meja.dinas.go.id`):
/// http or https, no trailing slash.
pub fn desk_url(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let url = Url::parse(text).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "{text:?}: the desk's address starts with https:// (example: https://meja.dinas.go.id)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{text:?}: no ? or # in the desk's address"));
    }
    Ok(text.to_string())
}

/// Where docs/deploy.md says how to give loket the password.
const PASSWORD_DOC: &str = "docs/deploy.md, \"Mail\"";

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
        let password = match &options.smtp_password_file {
            Some(path) => Some(read_password_file(path)?),
            None => None,
        };
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

    #[test]
    fn smtp_urls_are_checked_and_hold_no_password() {
        let url: SmtpUrl = "smtp://loket@relay.example.go.id:587?tls=required"
            .parse()
            .unwrap();
        assert_eq!(url.username().as_deref(), Some("loket"));
        assert_eq!(url.server(), "relay.example.go.id:587");
        assert!(url.requires_tls() && !url.is_loopback());
        let err = "smtp://loket:rahasia@relay.example.go.id:587?tls=required"
            .parse::<SmtpUrl>()
            .unwrap_err();
        assert!(err.starts_with("no password in smtp_url"), "{err}");
        assert!(!err.contains("rahasia"), "{err}");
        let plain: SmtpUrl = "smtp://127.0.0.1:2525".parse().unwrap();
        assert!(!plain.requires_tls() && plain.is_loopback());
        assert!(
            "smtps://relay.example:465"
                .parse::<SmtpUrl>()
                .unwrap()
                .requires_tls()
        );
        let opportunistic: SmtpUrl = "smtp://relay.example?tls=opportunistic".parse().unwrap();
        assert!(!opportunistic.requires_tls());
        for (text, loopback) in [
            ("smtp://localhost:25", true),
            ("smtp://LOCALHOST.:25", true),
            ("smtp://127.0.0.2:25", true),
            ("smtp://[::1]:25", true),
            ("smtp://localhost.example.go.id:25", false),
            ("smtp://10.1.2.3:25", false),
            ("smtp://[::2]:25", false),
        ] {
            assert_eq!(
                text.parse::<SmtpUrl>().unwrap().is_loopback(),
                loopback,
                "{text}"
            );
        }
        for bad in [
            "relay.example:587",
            "http://relay.example",
            "smtp://relay.example?tls=yes",
            "smtps://relay.example?tls=required",
            "smtp://relay.example?tsl=required",
            "smtp:///x",
            "smtp://u:rahasia@relay.example:99999",
            "smtq://u:rahasia@relay.example",
        ] {
            let err = bad.parse::<SmtpUrl>().unwrap_err();
            assert!(!err.contains("rahasia"), "{bad}: {err}");
        }
    }

    #[test]
    fn clap_never_echoes_a_bad_smtp_url() {
        let cmd = clap::Command::new("serve").arg(
            clap::Arg::new("smtp_url")
                .long("smtp-url")
                .value_parser(smtp_url_parser()),
        );
        for bad in [
            "smtp://u:rahasia@relay.example:587",
            "smtp://u:rahasia@relay.example:99999",
            "smtq://u:rahasia@relay.example",
        ] {
            let err = cmd
                .clone()
                .try_get_matches_from(["serve", "--smtp-url", bad])
                .unwrap_err()
                .to_string();
            assert!(!err.contains("rahasia"), "{err}");
            assert!(err.contains("smtp_url"), "{err}");
        }
    }

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

    #[test]
    fn digest_times_and_desk_urls() {
        assert_eq!(
            "07:00".parse::<DigestAt>(),
            Ok(DigestAt::At { hour: 7, minute: 0 })
        );
        assert_eq!(
            "6.30".parse::<DigestAt>(),
            Ok(DigestAt::At {
                hour: 6,
                minute: 30
            })
        );
        assert_eq!("OFF".parse::<DigestAt>(), Ok(DigestAt::Off));
        for bad in ["24:00", "7", "07:60", "07:0", "pagi"] {
            assert!(bad.parse::<DigestAt>().is_err(), "{bad}");
        }
        assert_eq!(DigestAt::default().to_string(), "07:00");
        assert_eq!(
            desk_url("https://meja.dinas.go.id/").unwrap(),
            "https://meja.dinas.go.id"
        );
        assert!(desk_url("meja.dinas.go.id").is_err());
        assert!(desk_url("ftp://meja").is_err());
        assert!(mailbox("Dinkopum <loket@jombangkab.go.id>").is_ok());
        assert!(mailbox("loket@").is_err());
    }
}
