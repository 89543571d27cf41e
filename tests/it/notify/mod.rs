//! Mail against a real SMTP server (aiosmtpd) started by each test: what
//! staff and citizens are sent, that no message holds personal data, that
//! submissions never wait on the relay, that queued mail survives a relay
//! outage and a restart and arrives once, the digest at 07:00 (faketime),
//! stuck mail in `loket inbox` and `/healthz`, and the settings.
//!
//! - [`intake`]: a new case: the staff's notice and the citizen's receipt,
//!   and a relay that is down.
//! - [`steps`]: the citizen told of the steps of their case, from
//!   `loket status` and from the desk.
//! - [`digest`]: the morning digest, and mail stuck for a day.
//! - [`settings`]: the mail settings, the password file, TLS for AUTH.
//! - [`receipts`]: at most three receipts a day to one address.

mod digest;
mod intake;
mod messages;
mod receipts;
mod settings;
mod steps;

use std::time::Duration;

use crate::common::form::{NIK, PHONE, PHONE_E164, VALID_PERMOHONAN};
use crate::common::server::Server;
use crate::common::smtp::Mail;

const PATIENCE: Duration = Duration::from_secs(60);

/// `loket serve` arguments for mail through the relay on `port`.
pub(crate) fn mail_args(port: u16) -> Vec<String> {
    [
        "--rate-limit",
        "0",
        "--smtp-url",
        &format!("smtp://127.0.0.1:{port}"),
        "--mail-from",
        "Dinas Contoh <loket@contoh.go.id>",
        "--notify-to",
        "petugas@contoh.go.id,kabid@contoh.go.id",
        "--desk-url",
        "https://meja.contoh.go.id",
        "--digest-at",
        "off",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn start_mailing(port: u16) -> Server {
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_with(&args)
}

/// Nothing the citizen typed is in a message (headers and body as sent),
/// but for their own address in the To of their own mail.
fn assert_no_personal_data(mail: &Mail) {
    let raw = mail
        .raw
        .replace("To: siti@contoh.id", "To: [warga]")
        .replace("<siti@contoh.id>", "[warga]");
    let mut typed: Vec<&str> = VALID_PERMOHONAN
        .iter()
        .filter(|(name, _)| !["jenis", "persetujuan"].contains(name))
        .map(|(_, value)| *value)
        .collect();
    typed.extend([
        NIK,
        "3517 0152",
        PHONE,
        PHONE_E164,
        "6281234567890",
        "siti@contoh.id",
    ]);
    for value in typed {
        assert!(!raw.contains(value), "{value:?} in the mail:\n{raw}");
        assert!(
            !mail.body.contains(value),
            "{value:?} in the mail:\n{}",
            mail.body
        );
    }
}
