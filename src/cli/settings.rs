//! Operator settings: `loket.yaml`, `LOKET_<KEY>` variables and flags.
//!
//! Every key of [`KEYS`] is also the long option of the same name (`_` for
//! `-`) on each command that has it, and an environment variable
//! `LOKET_<KEY>`. The file is named by `--config` or `LOKET_CONFIG`; nothing
//! is read from a default place, so what runs is what the unit file says.
//!
//! Beside the file, its drop-in folder (`loket.d/` for `loket.yaml`) holds
//! the office's own settings, so that the packaged file is never edited and
//! an upgrade never asks which to keep: each `*.yaml` there, in lexical
//! order after the file, sets keys as the file would, and a later file wins
//! for each key it names (a list is replaced whole).
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

use crate::core::fs::if_exists;
use crate::core::yaml;

/// The keys an operator sets. Site content is in site.yaml, not here.
pub const KEYS: &[&str] = &[
    "root",
    "out",
    "data",
    "addr",
    "desk_addr",
    "desk_secure_cookies",
    "desk_idle_secs",
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

/// A parsed loket.yaml and its drop-ins: each key's values as text, for
/// clap to parse, and where they were set.
#[derive(Debug)]
pub struct SettingsFile {
    pub path: PathBuf,
    /// The drop-ins read after the file, in the order read.
    pub drop_ins: Vec<PathBuf>,
    values: BTreeMap<String, Setting>,
    /// Values a later drop-in replaced: still checked, so that a mistake is
    /// found where it is written and not when a later file goes.
    replaced: Vec<(String, Setting)>,
}

/// One key's values, and the file and line that set them.
#[derive(Debug)]
struct Setting {
    texts: Vec<String>,
    from: PathBuf,
    line: Option<usize>,
}

/// The drop-in folder of a settings file: `loket.d` for `loket.yaml`.
pub fn drop_in_dir(path: &Path) -> PathBuf {
    let stem = path.file_stem().unwrap_or(path.as_os_str());
    let mut name = stem.to_os_string();
    name.push(".d");
    path.with_file_name(name)
}

/// The `*.yaml` files of a drop-in folder, in lexical order of their names;
/// none when the folder does not exist. Other files (an editor's backup,
/// dpkg's `.dpkg-old`) and hidden ones are not read.
fn drop_ins(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let Some(entries) = if_exists(std::fs::read_dir(dir))
        .with_context(|| format!("cannot read the settings folder {}", dir.display()))?
    else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry =
            entry.with_context(|| format!("cannot read the settings folder {}", dir.display()))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') || !name.ends_with(".yaml") {
            continue;
        }
        files.push(entry.path());
    }
    files.sort();
    Ok(files)
}

impl SettingsFile {
    /// Reads the file at `path`, then its drop-ins.
    fn load(path: &Path) -> anyhow::Result<SettingsFile> {
        let read = |path: &Path| {
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the settings file {}", path.display()))
        };
        let mut file = SettingsFile::parse(path, &read(path)?)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for drop_in in drop_ins(&drop_in_dir(path))? {
            for (key, setting) in parse_values(&drop_in, &read(&drop_in)?, base)? {
                if let Some(old) = file.values.insert(key.clone(), setting) {
                    file.replaced.push((key, old));
                }
            }
            file.drop_ins.push(drop_in);
        }
        Ok(file)
    }

    /// One file alone, without drop-ins.
    fn parse(path: &Path, text: &str) -> anyhow::Result<SettingsFile> {
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(SettingsFile {
            path: path.to_path_buf(),
            drop_ins: Vec::new(),
            values: parse_values(path, text, base)?,
            replaced: Vec::new(),
        })
    }

    /// Where `key` was set, as `loket config` names it: the file's name, or
    /// a drop-in's path from the file's folder (`loket.d/50-kantor.yaml`).
    fn source(&self, key: &str) -> Option<String> {
        let from = &self.values.get(key)?.from;
        let base = self.path.parent().unwrap_or(Path::new("."));
        let shown = match from.strip_prefix(base) {
            Ok(rel) if !base.as_os_str().is_empty() => rel,
            _ => from.file_name().map(Path::new).unwrap_or(from),
        };
        Some(shown.display().to_string())
    }

    /// Checks each value with the parser of the option it stands for, so that
    /// a bad one names the file that set it and its line.
    fn validate(&self, cmd: &clap::Command) -> anyhow::Result<()> {
        let all = self.replaced.iter().map(|(k, s)| (k, s));
        for (key, setting) in all.chain(&self.values) {
            let arg = cmd
                .get_subcommands()
                .find_map(|sub| sub.get_arguments().find(|a| a.get_id() == key.as_str()));
            let Some(arg) = arg else { continue };
            // The option alone, with the file's values as its default: clap
            // parses a default with the option's own parser.
            let alone = clap::Command::new("loket.yaml")
                .no_binary_name(true)
                .arg(arg.clone().default_values(setting.texts.clone()));
            if let Err(e) = alone.try_get_matches_from(Vec::<OsString>::new()) {
                let line = setting.line.map_or(String::new(), |l| format!(":{l}"));
                let why = e.to_string();
                let why = why.lines().next().unwrap_or_default();
                let why = why.trim_start_matches("error: ");
                anyhow::bail!("{}{line}: {key}: {why}", setting.from.display());
            }
        }
        Ok(())
    }
}

/// The keys set in one settings file, relative paths resolved against
/// `base` (the folder of loket.yaml, also for its drop-ins).
fn parse_values(path: &Path, text: &str, base: &Path) -> anyhow::Result<BTreeMap<String, Setting>> {
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
                .ok_or_else(|| anyhow::anyhow!("{}: {key}: expected a list of values", at(&key)))?,
            other => {
                vec![scalar(other).ok_or_else(|| {
                    anyhow::anyhow!("{}: {key}: expected a single value", at(&key))
                })?]
            }
        };
        if PATHS.contains(&key.as_str()) {
            for text in &mut texts {
                *text = base.join(&*text).display().to_string();
            }
        }
        let line = yaml::line_of_key(text, &key);
        values.insert(
            key,
            Setting {
                texts,
                from: path.to_path_buf(),
                line,
            },
        );
    }
    Ok(values)
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
            let file = SettingsFile::load(&path)?;
            file.validate(&cmd)?;
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
                        Some(setting) => arg.default_values(setting.texts.clone()),
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
    if let Some(f) = file {
        let shown: Vec<String> = f.drop_ins.iter().map(|p| p.display().to_string()).collect();
        match shown.is_empty() {
            true => writeln!(
                out,
                "# drop-ins: none in {}",
                drop_in_dir(&f.path).display()
            )?,
            false => writeln!(out, "# drop-ins, in this order: {}", shown.join(", "))?,
        }
    }
    for &key in KEYS {
        let from_file = file.and_then(|f| f.source(key));
        let (values, source) = match (value_of(key), serve.value_source(key), from_file) {
            (Some(values), Some(ValueSource::EnvVariable), _) => (values, env_name(key)),
            (Some(values), _, Some(file)) => (values, file),
            (Some(values), _, None) => (values, "default".to_string()),
            (None, _, _) => match key {
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
        assert_eq!(file.values["addr"].texts, ["127.0.0.1:9000"]);
        assert_eq!(file.values["max_upload_mb"].texts, ["7"]);
        assert_eq!(
            file.values["trust_proxy"].texts,
            ["127.0.0.1", "10.0.0.0/8"]
        );
        assert_eq!(file.values["data"].texts, ["/etc/loket/data"]);
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

    /// A loket.yaml with its drop-in folder, in a temp folder.
    fn with_drop_ins(main: &str, drop_ins: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loket.yaml");
        std::fs::write(&path, main).unwrap();
        std::fs::create_dir(dir.path().join("loket.d")).unwrap();
        for (name, text) in drop_ins {
            std::fs::write(dir.path().join("loket.d").join(name), text).unwrap();
        }
        (dir, path)
    }

    #[test]
    fn drop_ins_are_read_in_lexical_order_after_the_file_and_the_last_wins() {
        let (dir, path) = with_drop_ins(
            "addr: 127.0.0.1:8080\nrate_limit: 10\ntrust_proxy: [127.0.0.1]\ndata: /var/lib/loket/data\n",
            &[
                ("90-akhir.yaml", "rate_limit: 30\n"),
                (
                    "10-awal.yaml",
                    "rate_limit: 20\ntrust_proxy:\n  - 10.0.0.0/8\ndata: data\n",
                ),
                ("50-lama.yaml.dpkg-old", "addr: 0.0.0.0:80\n"),
                ("catatan.txt", "not yaml at all: [\n"),
                (".50-tersembunyi.yaml", "addr: 0.0.0.0:81\n"),
            ],
        );
        let file = SettingsFile::load(&path).unwrap();
        let d = dir.path().join("loket.d");
        assert_eq!(
            file.drop_ins,
            [d.join("10-awal.yaml"), d.join("90-akhir.yaml")]
        );
        assert_eq!(file.values["rate_limit"].texts, ["30"]);
        assert_eq!(file.source("rate_limit").unwrap(), "loket.d/90-akhir.yaml");
        // A list is replaced whole, not added to.
        assert_eq!(file.values["trust_proxy"].texts, ["10.0.0.0/8"]);
        // A relative path means what it would in loket.yaml.
        assert_eq!(
            file.values["data"].texts,
            [dir.path().join("data").display().to_string()]
        );
        assert_eq!(file.values["addr"].texts, ["127.0.0.1:8080"]);
        assert_eq!(file.source("addr").unwrap(), "loket.yaml");
        assert_eq!(file.source("max_upload_mb"), None);
    }

    #[test]
    fn no_drop_in_folder_is_no_drop_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loket.yaml");
        std::fs::write(&path, "rate_limit: 4\n").unwrap();
        let file = SettingsFile::load(&path).unwrap();
        assert!(file.drop_ins.is_empty());
        assert_eq!(file.values["rate_limit"].texts, ["4"]);
        assert_eq!(
            drop_in_dir(Path::new("/etc/loket/loket.yaml")),
            Path::new("/etc/loket/loket.d")
        );
    }

    #[test]
    fn a_mistake_in_a_drop_in_names_the_drop_in_and_its_line() {
        let (dir, path) = with_drop_ins(
            "rate_limit: 10\n",
            &[("50-kantor.yaml", "# kantor\nrate_limt: 3\n")],
        );
        let err = SettingsFile::load(&path).unwrap_err().to_string();
        let at = dir.path().join("loket.d/50-kantor.yaml");
        assert!(
            err.starts_with(&format!(
                "{}:2: unknown setting \"rate_limt\"",
                at.display()
            )),
            "{err}"
        );
        let (dir, path) = with_drop_ins(
            "rate_limit: 10\n",
            &[("50-kantor.yaml", "\n\nmax_upload_mb: banyak\n")],
        );
        let cmd = <super::super::Cli as clap::CommandFactory>::command();
        let err = SettingsFile::load(&path)
            .unwrap()
            .validate(&cmd)
            .unwrap_err()
            .to_string();
        let at = dir.path().join("loket.d/50-kantor.yaml");
        assert!(
            err.starts_with(&format!("{}:3: max_upload_mb: ", at.display())),
            "{err}"
        );
    }
}
