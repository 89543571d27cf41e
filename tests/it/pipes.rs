//! Output into a reader that stops early (`loket inbox | head`): the command
//! ends quietly with exit status 0, with no panic and no "Broken pipe".

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::*;

/// The ticket alphabet (read aloud over the phone).
const LETTERS: &[u8] = b"CDFHJKMNPRTVWXY34679";

/// `n` hand-made records under `data`, as the server writes them.
fn records(data: &Path, n: usize) {
    let dir = data.join("submissions/2026/11/20");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        let suffix: String = [i / 8000, i / 400 % 20, i / 20 % 20, i % 20]
            .iter()
            .map(|&d| LETTERS[d % 20] as char)
            .collect();
        let ticket = format!("KP-20261120-{suffix}");
        fs::write(
            dir.join(format!("{ticket}.yaml")),
            format!(
                "ticket: {ticket}\nkind: permohonan\nreceived_at: 2026-11-20T09:00:00+07:00\nstatus: baru\n\
response_due: 2026-11-27\ncompletion_due: 2026-11-27\nfields:\n  jenis: konsultasi\n  nama: Warga Nomor {i}\n\
normalized: {{}}\nattachments: []\nhistory: []\n"
            ),
        )
        .unwrap();
    }
}

/// Runs `loket ARGS` with stdout a pipe whose reading end is already closed,
/// so the first write fails with EPIPE.
fn into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = loket()
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket runs");
    child.wait_with_output().unwrap()
}

fn assert_quiet_success(output: &Output, what: &str) {
    let err = stderr(output);
    assert!(
        output.status.success(),
        "{what}: {:?}, stderr:\n{err}",
        output.status
    );
    assert!(
        !err.contains("Broken pipe") && !err.contains("panicked"),
        "{what}: stderr:\n{err}"
    );
}

fn data_dir(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("data")
}

#[test]
fn staff_commands_end_quietly_when_the_reader_is_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    records(&data, 3);
    let data = data.to_str().unwrap();
    for (args, what) in [
        (vec!["inbox", "--data", data, "--on", "2026-11-23"], "inbox"),
        (
            vec![
                "inbox",
                "--data",
                data,
                "--format",
                "csv",
                "--on",
                "2026-11-23",
            ],
            "inbox --format csv",
        ),
        (vec!["show", "KP-20261120-CCCC", "--data", data], "show"),
        (vec!["--help"], "--help"),
        (vec!["--version"], "--version"),
    ] {
        let output = into_closed_pipe(&args);
        assert_quiet_success(&output, what);
        assert!(stderr(&output).is_empty(), "{what}: {}", stderr(&output));
    }

    let site = TempSite::fixture();
    let laporan = tmp.path().join("laporan");
    let output = into_closed_pipe(&[
        "report",
        "--month",
        "2026-11",
        "--root",
        site.root_str(),
        "--data",
        data,
        "--out",
        laporan.to_str().unwrap(),
        "--on",
        "2026-12-01",
    ]);
    assert_quiet_success(&output, "report");
    assert!(
        laporan.join("laporan-2026-11.html").is_file(),
        "the report is written before its paths are printed"
    );

    let output = into_closed_pipe(&["build", "--root", site.root_str()]);
    assert_quiet_success(&output, "build");
    assert!(site.out().join("index.html").is_file());
}

/// As an operator types it, under `set -o pipefail`: far more output than a
/// pipe holds, so `head` leaves most of it unread.
#[test]
fn inbox_into_head_exits_zero_without_a_word() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(&tmp);
    records(&data, 2000);
    let whole = run(&[
        "inbox",
        "--data",
        data.to_str().unwrap(),
        "--on",
        "2026-11-23",
    ]);
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert!(
        whole.stdout.len() > 3 * 65536,
        "only {} bytes: not enough to fill a pipe",
        whole.stdout.len()
    );

    let script = r#"set -o pipefail
"$LOKET" inbox --data "$DATA" --on 2026-11-23 2>"$ERR" | head -n 1"#;
    let err_file = tmp.path().join("stderr");
    let mut child = Command::new("bash")
        .args(["-c", script])
        .env("LOKET", env!("CARGO_BIN_EXE_loket"))
        .env("DATA", &data)
        .env("ERR", &err_file)
        .stdout(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let mut first = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut first)
        .unwrap();
    let status = child.wait().unwrap();
    let err = fs::read_to_string(&err_file).unwrap();
    assert!(
        status.success(),
        "the pipeline failed ({status:?}); loket's stderr:\n{err}"
    );
    assert!(err.is_empty(), "loket said:\n{err}");
    assert_eq!(first.lines().count(), 1, "{first}");
    assert!(
        String::from_utf8_lossy(&whole.stdout).starts_with(&first),
        "head got the first line: {first}"
    );
}
