//! `loket serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use lettre::message::Mailbox;

use crate::notify::settings::{MailOptions, PASSWORD_ENV};
use crate::notify::{self, DigestAt, MailSettings, SmtpUrl};
use crate::server::{self, Limits, ServeError, ServeOptions, TrustedProxy};
use crate::site::build::{BuildError, BuildOptions, DEFAULT_MAX_UPLOAD_MB};

use super::logging::{LogFormat, VERSION};
use super::{Folders, user};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub folders: Folders,
    /// Output folder [default: ROOT/public].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Address of the staff desk (port 0 picks a free port; `off`: no desk).
    /// Open it to the office network only (docs/deploy.md).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub desk_addr: DeskAddr,
    /// Mark the desk's cookies Secure on every request (the desk is reached
    /// only over HTTPS). Without it they are Secure when a trusted proxy
    /// says the request came over HTTPS (X-Forwarded-Proto).
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub desk_secure_cookies: bool,
    /// Seconds a desk session may go unused before it ends (staff are
    /// warned two minutes before).
    #[arg(long, default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub desk_idle_secs: u64,
    /// Largest accepted upload, per file, in megabytes.
    #[arg(long, default_value_t = DEFAULT_MAX_UPLOAD_MB, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub max_upload_mb: u64,
    /// Submissions allowed per client address per window (0: no limit).
    #[arg(long, default_value_t = 10)]
    pub rate_limit: u32,
    /// Length of the rate-limit window, in seconds.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub rate_window_secs: u64,
    /// Connections served at once; more wait in the listen queue, and idle
    /// ones are closed to make room for them.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,
    /// Seconds a connection has to send a complete request head (and its
    /// first request at all).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait for its next request.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout_secs: u64,
    /// Seconds a response may wait with the client reading none of it before
    /// the connection is closed.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub write_timeout_secs: u64,
    /// Seconds a form being sent may go without a byte of it arriving (408).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_idle_timeout_secs: u64,
    /// Seconds a whole form may take to arrive, however steadily (408).
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub body_total_timeout_secs: u64,
    /// Behind a reverse proxy (nginx): when a request comes from one of these
    /// proxies, count the rate limit per the client address in
    /// X-Forwarded-For, read from its right end past trusted proxies. An
    /// address (127.0.0.1), a CIDR range (10.0.0.0/8) or `loopback` (the
    /// default without a value); repeat the flag or separate with commas.
    #[arg(
        long,
        value_name = "ADDR|CIDR",
        num_args = 0..=1,
        default_missing_value = "loopback",
        value_delimiter = ',',
        action = clap::ArgAction::Append
    )]
    pub trust_proxy: Vec<TrustedProxy>,
    /// Free space on the data folder's disk below which /healthz answers 503, in megabytes.
    #[arg(long, default_value_t = 500)]
    pub min_free_mb: u64,
    /// Failed /cek-status/ lookups allowed per client address per rate
    /// window before only the right code is answered (ten times that:
    /// none), and receipts of unknown tickets (0: no limit); lookups that
    /// find the case are not counted.
    #[arg(long, default_value_t = 10)]
    pub lookup_rate_limit: u32,
    /// The mail relay: smtp://relay.example:587?tls=required (STARTTLS),
    /// smtps://relay.example:465 (TLS), smtp://127.0.0.1:25 (plain, this
    /// machine). A user name may be in it; the password is not (see
    /// --smtp-password-file). A password needs TLS unless the relay is this
    /// machine. Without it, mail is off.
    #[arg(long, value_name = "URL", value_parser = notify::settings::smtp_url_parser())]
    pub smtp_url: Option<SmtpUrl>,
    /// A file holding the relay's password, readable by loket's user alone
    /// (with systemd: /run/credentials/loket.service/smtp-password).
    #[arg(long, value_name = "FILE")]
    pub smtp_password_file: Option<PathBuf>,
    /// Who loket's mail is from: "Dinkopum Jombang <loket@jombangkab.go.id>".
    #[arg(long, value_name = "ADDRESS", value_parser = notify::settings::mailbox)]
    pub mail_from: Option<Mailbox>,
    /// Staff told of each new case and sent the daily digest (repeat the
    /// flag or separate with commas).
    #[arg(
        long,
        value_name = "ADDRESS",
        value_delimiter = ',',
        action = clap::ArgAction::Append,
        value_parser = notify::settings::mailbox
    )]
    pub notify_to: Vec<Mailbox>,
    /// When the staff's digest goes out each working day, HH:MM in WIB, or
    /// `off`.
    #[arg(long, value_name = "HH:MM", default_value = "07:00")]
    pub digest_at: DigestAt,
    /// The staff desk's address as staff open it (https://meja.dinas.go.id):
    /// staff mail links to /kasus/TICKET/ there.
    #[arg(long, value_name = "URL", value_parser = notify::settings::desk_url)]
    pub desk_url: Option<String>,
    /// Log lines as text, or as one JSON object per line for a collector.
    /// Which lines: LOKET_LOG (e.g. `warn`, `info,loket::access=off`).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Rebuild when content, templates, assets, site.yaml or holidays change,
    /// and reload open browser tabs (a preview for staff, not for production).
    #[arg(long)]
    pub watch: bool,
}

/// `--desk-addr`: an address, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeskAddr(pub Option<SocketAddr>);

impl std::str::FromStr for DeskAddr {
    type Err = String;

    fn from_str(text: &str) -> Result<DeskAddr, String> {
        match text.trim() {
            "off" => Ok(DeskAddr(None)),
            t => t.parse().map(|a| DeskAddr(Some(a))).map_err(|_| {
                format!("{t:?} is not an address such as 127.0.0.1:8081 (or off: no desk)")
            }),
        }
    }
}

impl std::fmt::Display for DeskAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(addr) => write!(f, "{addr}"),
            None => f.write_str("off"),
        }
    }
}

impl ServeArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_upload_mb * 1024 * 1024,
            rate_limit: self.rate_limit,
            rate_window: Duration::from_secs(self.rate_window_secs),
            max_connections: self.max_connections as usize,
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            write_timeout: Duration::from_secs(self.write_timeout_secs),
            body_idle_timeout: Duration::from_secs(self.body_idle_timeout_secs),
            body_total_timeout: Duration::from_secs(self.body_total_timeout_secs),
            trust_proxy: self.trust_proxy.clone(),
            min_free_bytes: self.min_free_mb * 1024 * 1024,
            lookup_rate_limit: self.lookup_rate_limit,
            ..Limits::default()
        }
    }

    /// The mail settings, checked, with the password from its file;
    /// `None` without `smtp_url`. `loket config` checks them the same way.
    pub fn mail(&self) -> anyhow::Result<Option<MailSettings>> {
        let options = MailOptions {
            smtp_url: self.smtp_url.clone(),
            smtp_password_file: self.smtp_password_file.clone(),
            mail_from: self.mail_from.clone(),
            notify_to: self.notify_to.clone(),
            digest_at: self.digest_at,
            desk_url: self.desk_url.clone(),
        };
        let env_password = std::env::var_os(PASSWORD_ENV).is_some();
        Ok(MailSettings::from_options(options, env_password)?)
    }
}

/// Serves until SIGTERM; everything it says goes to the log (module
/// [`super::logging`]), also why it could not start.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    tracing::info!("loket {VERSION} starting");
    // A panic (a bug; a task's panic ends only that request) is a log line too.
    std::panic::set_hook(Box::new(|info| tracing::error!("panic: {info}")));
    match serve(args) {
        Ok(code) => Ok(code),
        Err(e) => {
            tracing::error!("{e:#}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let root = &args.folders.root;
    let data = args.folders.data();
    user::refuse_root_writing(&data, "serve")?;
    let out = args.out.clone().unwrap_or_else(|| root.join("public"));
    let mut build = BuildOptions::new(root, out);
    build.max_upload_mb = args.max_upload_mb;
    let opts = ServeOptions {
        build,
        addr: args.addr,
        data: data.clone(),
        limits: args.limits(),
        watch: args.watch,
        desk: args.desk_addr.0.map(|addr| server::DeskSettings {
            addr,
            secure_cookies: args.desk_secure_cookies,
            idle: std::time::Duration::from_secs(args.desk_idle_secs),
        }),
        mail: args.mail()?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(server::serve(opts, |addr, desk| {
        tracing::info!(
            %addr,
            "Listening on http://{addr}/ (submissions go to {})",
            data.display()
        );
        if let Some(desk) = desk {
            tracing::info!(
                desk = %desk,
                "Desk on http://{desk}/ (staff only: open it to the office network alone)"
            );
        }
    }));
    match served {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(ServeError::Build(BuildError::Invalid(diags))) => {
            log_all(&diags);
            tracing::error!("the site has errors; not serving");
            Ok(ExitCode::FAILURE)
        }
        Err(ServeError::Calendar(diags)) => {
            log_all(&diags);
            tracing::error!("the holiday list has errors; not serving");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

/// Diagnostics that stop the server, as log lines (errors and warnings at
/// their own level).
fn log_all(diags: &[crate::core::diagnostic::Diagnostic]) {
    for d in diags {
        match d.is_error() {
            true => tracing::error!("{d}"),
            false => tracing::warn!("{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn trusted(args: &[&str]) -> Result<Vec<TrustedProxy>, clap::Error> {
        let parsed = Serve::try_parse_from(["serve"].iter().chain(args))?;
        Ok(parsed.args.trust_proxy)
    }

    #[test]
    fn trust_proxy_takes_addresses_ranges_and_a_bare_flag_means_loopback() {
        let net = |text: &str| text.parse::<TrustedProxy>().unwrap();
        assert_eq!(trusted(&[]).unwrap(), vec![]);
        assert_eq!(
            trusted(&["--trust-proxy"]).unwrap(),
            vec![TrustedProxy::Loopback]
        );
        assert_eq!(
            trusted(&["--trust-proxy", "--rate-limit", "1"]).unwrap(),
            vec![TrustedProxy::Loopback],
            "a bare flag before another"
        );
        assert_eq!(
            trusted(&["--rate-limit", "1", "--trust-proxy"]).unwrap(),
            vec![TrustedProxy::Loopback],
            "a bare flag last"
        );
        assert_eq!(
            trusted(&[
                "--trust-proxy",
                "127.0.0.1",
                "--trust-proxy=10.0.0.0/8",
                "--trust-proxy",
                "fd00::/8,192.168.0.0/16"
            ])
            .unwrap(),
            vec![
                net("127.0.0.1"),
                net("10.0.0.0/8"),
                net("fd00::/8"),
                net("192.168.0.0/16")
            ]
        );
        assert_eq!(
            trusted(&["--trust-proxy", "loopback"]).unwrap(),
            vec![TrustedProxy::Loopback]
        );
        let err = trusted(&["--trust-proxy", "10.0.0.1/8"]).unwrap_err();
        assert!(err.to_string().contains("(10.0.0.0/8)"), "{err}");
        let err = trusted(&["--trust-proxy", "nginx"]).unwrap_err();
        assert!(err.to_string().contains("not an IP address"), "{err}");
    }
}
