//! Skips that are seen: a test that cannot run here prints one line
//! starting with `SKIPPED:` straight to stderr, past the harness's output
//! capture, so it shows in `cargo test` even when the test passes; `.ci/run`
//! counts these lines. Under CI (`CI=true`) a missing tool is a failure.

use std::io::Write;
use std::process::Command;

pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Says that `what` was skipped and why, past the output capture.
pub fn skip(what: &str, why: &str) {
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {what}: {why}");
}

/// True (after a `SKIPPED:` line) when something is missing; under CI, if
/// `fail_under_ci`, a failure instead.
pub fn skipped(what: &str, missing: &[String], fail_under_ci: bool) -> bool {
    if missing.is_empty() {
        return false;
    }
    let list = missing.join("; ");
    if fail_under_ci && under_ci() {
        panic!("{what} cannot run under CI: missing {list}. .ci/run installs these");
    }
    skip(
        what,
        &format!("missing {list} (install them as .ci/run does)"),
    );
    true
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
