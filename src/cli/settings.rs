//! Operator settings: `loket.yaml`, `LOKET_<KEY>` variables and flags.
//!
//! Every key of [`KEYS`] is also the long option of the same name (`_` for
//! `-`) on each command that has it, and an environment variable
//! `LOKET_<KEY>`. The file is named by `--config` or `LOKET_CONFIG`; nothing
//! is read from a default place, so what runs is what the unit file says.
//!
//! The precedence (flag > environment > file > loket's default) is clap's
//! own: each key's variable is set on its argument with `Arg::env`, and a
//! value from the file becomes the argument's default. Values from the file
//! go through the argument's own value parser before anything runs, so a
//! bad one is reported as `loket.yaml:LINE: key: problem`, as a content
//! error would be. Relative paths in the file are relative to the file.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::parser::ValueSource;

use crate::core::yaml;

/// The keys an operator sets. Site content is in site.yaml, not here.
pub const KEYS: &[&str] = &[
    "root",
    "out",
    "data",
    "addr",
    "desk_addr",
    "desk_secure_cookies",
    "max_upload_mb",
    "rate_limit",
    "rate_window_secs",
    "max_connections",
    "header_timeout_secs",
    "idle_timeout_secs",
    "write_timeout_secs",
    "body_idle_timeout_secs",
    "body_total_timeout_secs",
    "trust_proxy",
    "min_free_mb",
    "lookup_rate_limit",
    "log_format",
    "smtp_url",
    "smtp_password_file",
    "mail_from",
    "notify_to",
    "digest_at",
    "desk_url",
];

/// Keys holding a path, resolved against the folder of the file.
const PATHS: &[&str] = &["root", "out", "data", "smtp_password_file"];

/// Keys that take a list.
const LISTS: &[&str] = &["trust_proxy", "notify_to"];

/// The command whose settings `loket config` shows: it has every key.
const SHOWN: &str = "serve";

/// `LOKET_MAX_UPLOAD_MB` for `max_upload_mb`.
pub fn env_name(key: &str) -> String {
    format!("LOKET_{}", key.to_ascii_uppercase())
}

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {}

/// A parsed loket.yaml: each key's values as text, for clap to parse.
#[derive(Debug)]
pub struct SettingsFile {
    pub path: PathBuf,
    values: BTreeMap<String, Vec<String>>,
}

impl SettingsFile {
    fn parse(path: &Path, text: &str) -> anyhow::Result<SettingsFile> {
        let at = |key: &str| match yaml::line_of_key(text, key) {
            Some(line) => format!("{}:{line}", path.display()),
            None => path.display().to_string(),
        };
        let map: BTreeMap<String, yaml::Value> = if text.trim().is_empty() {
            BTreeMap::new()
        } else {
            yaml::from_str::<Option<_>>(text)
                .map_err(|e| match e.line {
                    Some(line) => anyhow::anyhow!("{}:{line}: {e}", path.display()),
                    None => anyhow::anyhow!("{}: {e}", path.display()),
                })?
                .unwrap_or_default()
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let mut values = BTreeMap::new();
        for (key, value) in map {
            if !KEYS.contains(&key.as_str()) {
                anyhow::bail!(
                    "{}: unknown setting {key:?}; the settings are: {}",
                    at(&key),
                    KEYS.join(", ")
                );
            }
            let mut texts = match value {
                yaml::Value::Null => continue,
                yaml::Value::Sequence(items) if LISTS.contains(&key.as_str()) => items
                    .into_iter()
                    .map(scalar)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        anyhow::anyhow!("{}: {key}: expected a list of values", at(&key))
                    })?,
                other => vec![scalar(other).ok_or_else(|| {
                    anyhow::anyhow!("{}: {key}: expected a single value", at(&key))
                })?],
            };
            if PATHS.contains(&key.as_str()) {
                for text in &mut texts {
                    *text = base.join(&*text).display().to_string();
                }
            }
            values.insert(key, texts);
        }
        Ok(SettingsFile {
            path: path.to_path_buf(),
            values,
        })
    }

    /// Checks each value with the parser of the option it stands for, so that
    /// a bad one names this file and its line.
    fn validate(&self, cmd: &clap::Command, text: &str) -> anyhow::Result<()> {
        for (key, texts) in &self.values {
            let arg = cmd
                .get_subcommands()
                .find_map(|sub| sub.get_arguments().find(|a| a.get_id() == key.as_str()));
            let Some(arg) = arg else { continue };
            // The option alone, with the file's values as its default: clap
            // parses a default with the option's own parser.
            let alone = clap::Command::new("loket.yaml")
                .no_binary_name(true)
                .arg(arg.clone().default_values(texts.clone()));
            if let Err(e) = alone.try_get_matches_from(Vec::<OsString>::new()) {
                let line = yaml::line_of_key(text, key).map_or(String::new(), |l| format!(":{l}"));
                let why = e.to_string();
                let why = why.lines().next().unwrap_or_default();
                let why = why.trim_start_matches("error: ");
                anyhow::bail!("{}{line}: {key}: {why}", self.path.display());
            }
        }
        Ok(())
    }
}

/// A YAML scalar as the text a flag would carry.
fn scalar(value: yaml::Value) -> Option<String> {
    match value {
        yaml::Value::String(s) => Some(s),
        yaml::Value::Number(n) => Some(n.to_string()),
        yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The file named by `--config FILE`, `--config=FILE` or `LOKET_CONFIG`,
/// found before clap runs (its values become clap's defaults).
fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--" {
            break;
        }
        if arg == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("LOKET_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The command line with every key's variable, and the file's values as
/// defaults.
pub fn command(cmd: clap::Command) -> anyhow::Result<(clap::Command, Option<SettingsFile>)> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let file = match config_path(&args) {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the settings file {}", path.display()))?;
            let file = SettingsFile::parse(&path, &text)?;
            file.validate(&cmd, &text)?;
            Some(file)
        }
        None => None,
    };
    Ok((with_settings(cmd, file.as_ref()), file))
}

/// Gives every (sub)command's options of [`KEYS`] their variable and the
/// file's values, down to `loket staff add`.
fn with_settings(mut cmd: clap::Command, file: Option<&SettingsFile>) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |mut sub| {
            for &key in KEYS {
                if !sub.get_arguments().any(|a| a.get_id() == key) {
                    continue;
                }
                sub = sub.mut_arg(key, |arg| {
                    let arg = arg.env(env_name(key));
                    match file.and_then(|f| f.values.get(key)) {
                        Some(values) => arg.default_values(values.clone()),
                        None => arg,
                    }
                });
            }
            with_settings(sub, file)
        });
    }
    cmd
}

/// `loket config`: each key with the value `loket serve` would use and
/// where it comes from, as YAML that could go back into loket.yaml.
pub fn print(cmd: clap::Command, file: Option<&SettingsFile>) -> anyhow::Result<ExitCode> {
    let matches = cmd
        .try_get_matches_from(["loket", SHOWN])
        .context("the settings do not parse")?;
    let (_, serve) = matches
        .subcommand()
        .context("no serve command in the parse")?;
    let value_of = |key: &str| -> Option<Vec<String>> {
        serve
            .get_raw(key)
            .map(|values| values.map(|v| v.to_string_lossy().into_owned()).collect())
    };
    let root = value_of("root")
        .and_then(|v| v.into_iter().next())
        .unwrap_or_else(|| ".".to_string());
    let mut out = String::new();
    match file {
        Some(f) => writeln!(out, "# settings file: {}", f.path.display())?,
        None => writeln!(out, "# settings file: none (--config or LOKET_CONFIG)")?,
    }
    for &key in KEYS {
        let from_file = file.is_some_and(|f| f.values.contains_key(key));
        let (values, source) = match (value_of(key), serve.value_source(key)) {
            (Some(values), Some(ValueSource::EnvVariable)) => (values, env_name(key)),
            (Some(values), _) if from_file => (values, "loket.yaml".to_string()),
            (Some(values), _) => (values, "default".to_string()),
            (None, _) => match key {
                "out" => (
                    vec![format!("{root}/public")],
                    "default (ROOT/public)".into(),
                ),
                "data" => (vec![format!("{root}/data")], "default (ROOT/data)".into()),
                _ => (Vec::new(), "default".to_string()),
            },
        };
        let shown = if LISTS.contains(&key) {
            let items: Vec<String> = values.iter().map(|v| quoted(v)).collect();
            format!("[{}]", items.join(", "))
        } else {
            values.first().map(|v| quoted(v)).unwrap_or_default()
        };
        writeln!(out, "{key}: {shown}  # {source}")?;
    }
    // The mail settings checked as `loket serve` checks them at start:
    // the password file read (never shown), TLS for a password.
    let args = <super::serve::ServeArgs as clap::FromArgMatches>::from_arg_matches(serve)?;
    match args.mail() {
        Ok(Some(mail)) if mail.password.is_some() => writeln!(
            out,
            "# SMTP password: ******** (smtp_password_file, checked)"
        )?,
        Ok(Some(_)) => writeln!(out, "# SMTP password: none (no user in smtp_url)")?,
        Ok(None) => {}
        Err(e) => {
            say!("{}", out.trim_end())?;
            return Err(e.context("the mail settings cannot be used"));
        }
    }
    say!("{}", out.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// A value as YAML would read it back into the same text: plain where
/// plain YAML does, quoted otherwise.
fn quoted(value: &str) -> String {
    let special = value.is_empty()
        || value.trim() != value
        || value.starts_with(|c: char| "!&*{}[]|>'\"%@`#,?:-".contains(c))
        || value.contains(": ")
        || value.contains(" #");
    if special {
        format!("{value:?}")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_flag_is_found_before_clap_in_either_spelling() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            config_path(&args(&[
                "loket",
                "serve",
                "--config",
                "/etc/loket/loket.yaml"
            ])),
            Some(PathBuf::from("/etc/loket/loket.yaml"))
        );
        assert_eq!(
            config_path(&args(&["loket", "--config=a.yaml", "inbox"])),
            Some(PathBuf::from("a.yaml"))
        );
        assert_eq!(
            config_path(&args(&["loket", "status", "--", "--config", "x"])),
            std::env::var_os("LOKET_CONFIG").map(PathBuf::from)
        );
    }

    #[test]
    fn file_values_become_texts_and_paths_follow_the_file() {
        let text = "addr: 127.0.0.1:9000\nmax_upload_mb: 7\ntrust_proxy:\n  - 127.0.0.1\n  - 10.0.0.0/8\ndata: data\nout:\n";
        let file = SettingsFile::parse(Path::new("/etc/loket/loket.yaml"), text).unwrap();
        assert_eq!(file.values["addr"], ["127.0.0.1:9000"]);
        assert_eq!(file.values["max_upload_mb"], ["7"]);
        assert_eq!(file.values["trust_proxy"], ["127.0.0.1", "10.0.0.0/8"]);
        assert_eq!(file.values["data"], ["/etc/loket/data"]);
        assert!(
            !file.values.contains_key("out"),
            "a key without a value is unset"
        );
    }

    #[test]
    fn unknown_keys_and_wrong_shapes_name_the_line() {
        let err = SettingsFile::parse(Path::new("l.yaml"), "addr: 1.2.3.4:5\nmax_uplod_mb: 3\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("l.yaml:2: unknown setting \"max_uplod_mb\""),
            "{err}"
        );
        let err = SettingsFile::parse(Path::new("l.yaml"), "addr:\n  - 1.2.3.4:5\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("l.yaml:1: addr: expected a single value"),
            "{err}"
        );
        let err = SettingsFile::parse(Path::new("l.yaml"), "addr: [1\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("l.yaml:"), "{err}");
    }
}
