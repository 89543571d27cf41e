//! The systemd units of the deploy kit: `loket.service`, and the nightly
//! `loket-purge` and `loket-backup` services with their timers.
//!
//! - `systemd-analyze verify` on every unit, and `security --offline` on
//!   the services, with only the programs' paths changed;
//! - the purge unit's command, as written, deletes what is past retention;
//! - the backup units' commands (`loket-archive`, then `loket-backup`), as
//!   written, with real restic into a local repository, run as a user who
//!   cannot read a root-only secret in the /etc/loket stand-in (which must
//!   stay out of the snapshot), then the restore drill of docs/deploy.md:
//!   restic restore, `loket restore`, `loket verify`, and the same inbox as
//!   before; a source restic cannot read fails the run; the backup user
//!   reads loket's 0700 folder through the unit's capability alone, and
//!   cannot write it;
//! - the timers: the purge before the backup.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::skip::skipped;
use crate::common::*;
use crate::operations::closed_case;

mod backup;

const UNITS: [&str; 7] = [
    "loket.service",
    "loket-purge.service",
    "loket-purge.timer",
    "loket-archive.service",
    "loket-backup.service",
    "loket-backup.timer",
    "loket-failure@.service",
];

fn loket_bin() -> &'static str {
    env!("CARGO_BIN_EXE_loket")
}

/// restic from PATH; a SKIPPED line (a failure under CI) without it.
fn restic(what: &str) -> Option<PathBuf> {
    let found = program("restic");
    let missing = match found {
        Some(_) => vec![],
        None => vec!["restic (apt-get install restic)".to_string()],
    };
    if skipped(what, &missing, true) {
        return None;
    }
    found
}

/// A shipped unit with its programs at this machine's paths (verify checks
/// that they exist).
fn unit_text(name: &str, restic: &Path) -> String {
    fs::read_to_string(deploy_file(name))
        .unwrap()
        .replace("/usr/bin/loket ", &format!("{} ", loket_bin()))
        .replace("/usr/bin/restic ", &format!("{} ", restic.display()))
}

/// The values of `key=` lines in a unit.
fn settings<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn systemd_analyze_verifies_every_unit_and_rates_the_services_well_hardened() {
    let Some(analyze) = program("systemd-analyze") else {
        // Under CI a missing systemd-analyze is a failure: .ci/run installs it.
        skipped(
            "systemd-analyze verify/security on deploy/",
            &["systemd-analyze (apt-get install systemd)".to_string()],
            true,
        );
        return;
    };
    let Some(restic) = restic("systemd-analyze verify on deploy/loket-backup.service") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for name in UNITS {
        fs::write(dir.path().join(name), unit_text(name, &restic)).unwrap();
    }
    for name in UNITS {
        let verify = Command::new(&analyze)
            .arg("verify")
            .arg(dir.path().join(name))
            .output()
            .unwrap();
        assert!(
            verify.status.success() && verify.stderr.is_empty(),
            "systemd-analyze verify {name}:\n{}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
    }
    // Exposure from 0 (best) to 10 (worst): loket.service 1.1 when written;
    // --threshold counts in tenths (20: fail above 2.0). --offline needs
    // systemd 250 (Debian 12 has 252).
    for name in [
        "loket.service",
        "loket-purge.service",
        "loket-archive.service",
        "loket-backup.service",
    ] {
        let security = Command::new(&analyze)
            .args(["security", "--offline=true", "--threshold=20", "--no-pager"])
            .arg(dir.path().join(name))
            .output()
            .unwrap();
        assert!(
            security.status.success(),
            "{name}: exposure over 2:\n{}{}",
            String::from_utf8_lossy(&security.stdout),
            String::from_utf8_lossy(&security.stderr)
        );
    }
}

#[test]
fn the_unit_outlasts_lokets_drain_and_writes_only_its_folder() {
    let unit = fs::read_to_string(deploy_file("loket.service")).unwrap();
    let setting = |key: &str| settings(&unit, key);
    // loket gives requests in progress 30 s after SIGTERM (README).
    let stop = setting("TimeoutStopSec");
    assert_eq!(stop.len(), 1);
    let seconds: u64 = stop[0].trim_end_matches('s').parse().unwrap();
    assert!(seconds > 30, "TimeoutStopSec={}", stop[0]);
    // The site folder and the data both under the one writable folder.
    assert_eq!(setting("ReadWritePaths"), ["/var/lib/loket"]);
    let config = fs::read_to_string(deploy_file("loket.yaml")).unwrap();
    for key in ["root", "out", "data"] {
        let line = format!("{key}: /var/lib/loket/");
        assert!(config.lines().any(|l| l.starts_with(&line)), "{key}");
    }
    assert_eq!(setting("ProtectSystem"), ["strict"]);
    assert_eq!(setting("RestrictSUIDSGID"), ["yes"]);
    assert_eq!(setting("User"), ["loket"]);
    // What it writes in the site stays the loket-editor group's to edit
    // (docs/deploy.md, "Editing the site"; tests/it/desk/survei.rs runs
    // the desk with this umask).
    assert_eq!(setting("UMask"), ["0002"]);
    assert_eq!(setting("ExecReload"), ["/bin/kill -HUP $MAINPID"]);
    assert_eq!(
        setting("RestrictAddressFamilies"),
        ["AF_INET AF_INET6 AF_UNIX"]
    );
    assert_eq!(setting("Restart"), ["on-failure"]);
    assert_eq!(setting("NoNewPrivileges"), ["yes"]);
    assert_eq!(setting("PrivateTmp"), ["yes"]);
    assert_eq!(setting("MemoryMax").len(), 1);
    for name in ["loket-purge.service", "loket-archive.service"] {
        let unit = fs::read_to_string(deploy_file(name)).unwrap();
        assert_eq!(settings(&unit, "User"), ["loket"], "{name}");
        assert_eq!(
            settings(&unit, "ReadWritePaths"),
            ["/var/lib/loket"],
            "{name}"
        );
        assert_eq!(settings(&unit, "Type"), ["oneshot"], "{name}");
    }
}

#[test]
fn restic_runs_as_its_own_user_and_every_failure_is_reported() {
    let backup = fs::read_to_string(deploy_file("loket-backup.service")).unwrap();
    // Not loket, which serves the internet: it must not read the keys.
    assert_eq!(settings(&backup, "User"), ["loket-backup"]);
    assert_eq!(settings(&backup, "Type"), ["oneshot"]);
    // It reads loket's files and writes none of them.
    assert!(settings(&backup, "ReadWritePaths").is_empty());
    assert_eq!(
        settings(&backup, "CapabilityBoundingSet"),
        ["CAP_DAC_READ_SEARCH"]
    );
    assert_eq!(settings(&backup, "Requires"), ["loket-archive.service"]);
    assert!(settings(&backup, "After")[0].contains("loket-archive.service"));
    // restic's summary and warnings reach the journal; exit 3 (a partial
    // snapshot) fails the unit: no "-" before a command, no exit status
    // counted as success.
    for line in settings(&backup, "ExecStart") {
        assert!(
            !line.contains("--quiet") && !line.contains(" -q "),
            "{line}"
        );
        assert!(line.starts_with('/'), "{line}");
    }
    assert!(settings(&backup, "SuccessExitStatus").is_empty());
    for name in [
        "loket-purge.service",
        "loket-archive.service",
        "loket-backup.service",
    ] {
        let unit = fs::read_to_string(deploy_file(name)).unwrap();
        assert_eq!(
            settings(&unit, "OnFailure"),
            ["loket-failure@%n.service"],
            "{name}"
        );
    }
}

/// The earliest and latest minute of the day (WIB) a daily timer fires.
fn fires_between(timer: &str) -> (u32, u32) {
    let text = fs::read_to_string(deploy_file(timer)).unwrap();
    let calendar = settings(&text, "OnCalendar");
    assert_eq!(calendar.len(), 1, "{timer}");
    let (day, zone) = calendar[0].rsplit_once(' ').unwrap();
    assert_eq!(zone, "Asia/Jakarta", "{timer}");
    let clock = day.strip_prefix("*-*-* ").expect("a daily timer");
    let mut parts = clock.split(':').map(|p| p.parse::<u32>().unwrap());
    let start = parts.next().unwrap() * 60 + parts.next().unwrap();
    let delay = settings(&text, "RandomizedDelaySec");
    let delay: u32 = match delay.as_slice() {
        [] => 0,
        [d] => d.strip_suffix("min").expect("minutes").parse().unwrap(),
        _ => panic!("{timer}: RandomizedDelaySec twice"),
    };
    (start, start + delay)
}

#[test]
fn the_purge_runs_before_the_backup() {
    let (_, purge_latest) = fires_between("loket-purge.timer");
    let (backup_earliest, _) = fires_between("loket-backup.timer");
    assert!(
        purge_latest < backup_earliest,
        "the purge may start at minute {purge_latest}, the backup at {backup_earliest}"
    );
    // Both due at once (a boot after nights off): the archive waits.
    let archive = fs::read_to_string(deploy_file("loket-archive.service")).unwrap();
    assert!(settings(&archive, "After")[0].contains("loket-purge.service"));
}

/// The test's stand-ins for /var/lib/loket and /etc/loket, with settings
/// naming the folders in it as /etc/loket/loket.yaml does, and the drop-in
/// folder the package makes.
struct Machine {
    dir: tempfile::TempDir,
}

/// Who runs the units' commands: the test's own user, or when that is root
/// (who reads every file), `nobody`, so that a root-only file is one the
/// commands cannot read.
const NOBODY: u32 = 65534;

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").unwrap().uid() == 0
}

impl Machine {
    fn new() -> Machine {
        let machine = Machine {
            dir: tempfile::tempdir().unwrap(),
        };
        let site = TempSite::fixture();
        copy_dir(site.root(), &machine.var().join("site"));
        fs::create_dir_all(machine.etc().join("loket.d")).unwrap();
        fs::write(
            machine.etc().join("loket.yaml"),
            format!(
                "root: {0}/site\nout: {0}/public\ndata: {0}/data\n",
                machine.var().display()
            ),
        )
        .unwrap();
        fs::write(
            machine.etc().join("loket.d/50-kantor.yaml"),
            "rate_limit: 20\n",
        )
        .unwrap();
        machine
    }

    fn var(&self) -> PathBuf {
        self.dir.path().join("var-lib-loket")
    }

    fn etc(&self) -> PathBuf {
        self.dir.path().join("etc-loket")
    }

    fn data(&self) -> PathBuf {
        self.var().join("data")
    }

    /// Everything made so far given to the user who runs the commands.
    fn hand_over(&self) {
        if running_as_root() {
            let out = Command::new("chown")
                .args(["-R", &format!("{NOBODY}:{NOBODY}")])
                .arg(self.dir.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }

    /// A file no command can read, as /etc/loket/smtp-password (root 0600)
    /// is for every user but root.
    fn secret(&self, path: &Path) {
        fs::write(path, "rahasia-surel\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = if running_as_root() { 0o600 } else { 0o000 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// The `ExecStartPre=` and `ExecStart=` lines of a shipped service, in
    /// order, with this machine's paths and `vars` expanded (`${NAME}` as
    /// one word, `$NAME` split on spaces, as systemd does).
    fn commands(&self, unit: &str, restic: &Path, vars: &[(&str, &str)]) -> Vec<Vec<String>> {
        let text = unit_text(unit, restic)
            .replace("/var/lib/loket", self.var().to_str().unwrap())
            .replace("/etc/loket", self.etc().to_str().unwrap());
        text.lines()
            .filter_map(|l| {
                l.strip_prefix("ExecStartPre=")
                    .or_else(|| l.strip_prefix("ExecStart="))
            })
            .map(|line| {
                line.split_whitespace()
                    .flat_map(|word| {
                        let split = vars
                            .iter()
                            .find(|(name, _)| word.strip_prefix('$') == Some(name));
                        match split {
                            Some((_, value)) => {
                                value.split_whitespace().map(str::to_string).collect()
                            }
                            None => {
                                let mut word = word.to_string();
                                for (name, value) in vars {
                                    word = word.replace(&format!("${{{name}}}"), value);
                                }
                                vec![word]
                            }
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// `loket inbox` (which writes the index) as the data folder's owner,
    /// as an operator would run it (`sudo -u loket`): root is refused there.
    fn inbox(&self, data: &Path) -> String {
        use std::os::unix::fs::MetadataExt;
        let handed_over = fs::metadata(data).unwrap().uid() != rustix::process::getuid().as_raw();
        let argv: Vec<String> = [
            loket_bin(),
            "inbox",
            "--data",
            data.to_str().unwrap(),
            "--on",
            "2026-03-01",
            // The machine's site: its form files name the fields.
            "--root",
            self.var().join("site").to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let out = try_command(&argv, &[], None, handed_over);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    }
}

/// Runs one command of a unit, as systemd would, with `env`; as `nobody`
/// when `unprivileged` and the test runs as root.
fn try_command(
    argv: &[String],
    env: &[(&str, PathBuf)],
    clock: Option<&str>,
    unprivileged: bool,
) -> std::process::Output {
    let mut cmd = match clock {
        Some(wib) if argv[0] == loket_bin() => loket_at(wib),
        _ if unprivileged && running_as_root() => {
            let mut cmd = Command::new("setpriv");
            cmd.args([
                format!("--reuid={NOBODY}"),
                format!("--regid={NOBODY}"),
                "--clear-groups".to_string(),
                "--".to_string(),
                argv[0].clone(),
            ]);
            cmd
        }
        _ => Command::new(&argv[0]),
    };
    cmd.args(&argv[1..]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// [`try_command`], which must succeed.
fn run_command(argv: &[String], env: &[(&str, PathBuf)], clock: Option<&str>) {
    let out = try_command(argv, env, clock, true);
    assert!(
        out.status.success(),
        "{argv:?}:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn the_purge_units_command_deletes_what_is_past_retention() {
    let machine = Machine::new();
    let site_yaml = machine.var().join("site/site.yaml");
    let text = fs::read_to_string(&site_yaml).unwrap();
    fs::write(
        &site_yaml,
        format!("{text}privacy:\n  retention: {{ attachments_days: 30, records_years: 1 }}\n"),
    )
    .unwrap();
    closed_case(&machine.data(), "KP-20260105-CDFH", "2026-01-10", "selesai");
    closed_case(&machine.data(), "KP-20260105-MNPR", "", "baru");
    let commands = machine.commands("loket-purge.service", Path::new("/usr/bin/restic"), &[]);
    assert_eq!(commands.len(), 1);
    // At the timer's hour, 50 days after the first case was closed.
    run_command(&commands[0], &[], Some("2026-03-01 02:30:00"));
    let folder =
        |t: &str| crate::common::submit::record_path(&machine.data(), t).with_extension("");
    assert!(!folder("KP-20260105-CDFH").exists(), "past retention: gone");
    assert!(
        folder("KP-20260105-MNPR").join("ktp.pdf").is_file(),
        "open: kept"
    );
}
