//! Log lines on stderr through `tracing`: a timestamp (UTC), the level, the
//! target (`loket::access` for the access log) and the message; or one JSON
//! object per line with `--log-format json`. `LOKET_LOG` picks the lines
//! (`RUST_LOG` syntax; default `info`). Under systemd, journald keeps them.
//!
//! What is logged never holds personal data: no form value, name, NIK,
//! phone, query string or file name a citizen chose, at any level.

use tracing_subscriber::EnvFilter;

/// The variable that picks which log lines are written.
pub const FILTER_VAR: &str = "LOKET_LOG";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Installs the logger for this process.
pub fn init(format: LogFormat) -> anyhow::Result<()> {
    let filter = match std::env::var(FILTER_VAR) {
        Ok(text) if !text.trim().is_empty() => EnvFilter::builder()
            .parse(&text)
            .map_err(|e| anyhow::anyhow!("{FILTER_VAR}={text:?} is not a log filter: {e}"))?,
        _ => EnvFilter::new("info"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}
