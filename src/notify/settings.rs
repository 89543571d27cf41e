//! The operator's mail settings, each parsed by the value parser of its
//! `loket serve` option (so a bad value in loket.yaml names its line).

use std::fmt;
use std::str::FromStr;

use lettre::message::Mailbox;
use url::Url;

/// Where mail goes: `smtp://relay.example:587?tls=required` (STARTTLS),
/// `smtps://relay.example:465` (TLS from the start), `smtp://127.0.0.1:25`
/// (plain, for a relay on this machine). A user name may be in it
/// (`smtp://loket@relay…`); the password comes from the environment or a
/// private file, and is never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(Url);

impl SmtpUrl {
    /// Whether the URL itself holds a password (refused in loket.yaml).
    pub fn has_password(&self) -> bool {
        self.0.password().is_some()
    }

    /// The user name in the URL, decoded.
    pub fn username(&self) -> Option<String> {
        let user = self.0.username();
        (!user.is_empty()).then(|| {
            percent_encoding::percent_decode_str(user)
                .decode_utf8_lossy()
                .into_owned()
        })
    }

    /// The URL as lettre reads it, password included.
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
}

impl FromStr for SmtpUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<SmtpUrl, String> {
        let example = "(examples: smtp://relay.example.go.id:587?tls=required, smtps://relay.example.go.id:465, smtp://127.0.0.1:25)";
        let url = Url::parse(text.trim()).map_err(|e| format!("not a URL: {e} {example}"))?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(format!(
                "the scheme must be smtp or smtps, not {:?} {example}",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("no server named {example}"));
        }
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "required" | "opportunistic") if url.scheme() == "smtp" => {}
                ("tls", other) => {
                    return Err(format!(
                        "tls={other:?}: use smtp://…?tls=required (STARTTLS) or smtps:// (TLS from the start)"
                    ));
                }
                (other, _) => return Err(format!("unknown parameter {other:?} {example}")),
            }
        }
        Ok(SmtpUrl(url))
    }
}

/// Never shows the password.
impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("********"));
        }
        f.write_str(shown.as_str())
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

/// Everything mail needs; present only when `smtp_url` is set.
#[derive(Clone)]
pub struct MailSettings {
    pub smtp: SmtpUrl,
    /// From the environment or a private file; never shown or logged.
    pub password: Option<String>,
    pub from: Mailbox,
    /// Staff who get the new-case mail and the digest (may be empty:
    /// then only citizens get mail).
    pub notify_to: Vec<Mailbox>,
    pub digest_at: DigestAt,
    /// `https://meja.dinas.go.id`: staff mail links to `/kasus/TICKET/` there.
    pub desk_url: Option<String>,
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
    fn smtp_urls_are_checked_and_never_show_a_password() {
        let url: SmtpUrl = "smtp://loket:rahasia@relay.example.go.id:587?tls=required"
            .parse()
            .unwrap();
        assert!(url.has_password());
        assert_eq!(url.username().as_deref(), Some("loket"));
        assert_eq!(
            url.to_string(),
            "smtp://loket:********@relay.example.go.id:587?tls=required"
        );
        assert!(!format!("{url:?}").contains("rahasia"));
        assert_eq!(url.server(), "relay.example.go.id:587");
        let plain: SmtpUrl = "smtp://127.0.0.1:2525".parse().unwrap();
        assert!(!plain.has_password());
        assert!("smtps://relay.example:465".parse::<SmtpUrl>().is_ok());
        for bad in [
            "relay.example:587",
            "http://relay.example",
            "smtp://relay.example?tls=yes",
            "smtps://relay.example?tls=required",
            "smtp://relay.example?tsl=required",
            "smtp:///x",
        ] {
            assert!(bad.parse::<SmtpUrl>().is_err(), "{bad}");
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
