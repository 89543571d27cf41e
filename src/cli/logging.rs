//! Log lines on stderr through `tracing`: a timestamp (UTC), the level, the
//! target (`loket::access` for the access log) and the message; or one JSON
//! object per line with `--log-format json`, each with loket's `version`.
//! `LOKET_LOG` picks the lines (`RUST_LOG` syntax; default `info`). Under
//! systemd, journald keeps them. `loket serve` writes everything it has to
//! say here, its addresses too, so a collector reads every line.
//!
//! Levels: ERROR when something failed (a request, a build that could not
//! be written, mail that cannot go); WARN when loket carries on as before
//! (a new build with errors while the last good site is served).
//!
//! What is logged never holds personal data: no form value, name, NIK,
//! phone, query string or file name a citizen chose, at any level.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{self, JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The variable that picks which log lines are written.
pub const FILTER_VAR: &str = "LOKET_LOG";

/// loket's version, in every JSON line.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

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
            .fmt_fields(JsonFields::new())
            .event_format(Versioned(
                format::format()
                    .json()
                    .flatten_event(true)
                    .with_current_span(false),
            ))
            .try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}

/// A JSON line format with `"version"` first in every object.
struct Versioned<F>(F);

impl<S, N, F> FormatEvent<S, N> for Versioned<F>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        // The JSON format always writes an object with a timestamp first.
        match line.strip_prefix('{') {
            Some(rest) => write!(writer, "{{\"version\":\"{VERSION}\",{rest}"),
            None => writer.write_str(&line),
        }
    }
}
