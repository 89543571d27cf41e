//! The operator's mail settings, each parsed by the value parser of its
//! `loket serve` option (so a bad value in loket.yaml names its line), and
//! checked together by [`MailSettings::from_options`], which `loket serve`
//! and `loket config` both run.

use std::ffi::OsStr;
use std::fmt;
use std::net::IpAddr;
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

mod startup;

pub use startup::{MailOptions, MailSettings, MailSettingsError, PASSWORD_ENV, read_password_file};

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
