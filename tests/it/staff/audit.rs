//! Every command that reads personal data or changes records or accounts
//! leaves a line in the audit log (`data/audit/YYYY-MM.log`) naming the
//! person who ran it (`SUDO_USER` under sudo) and the action, and nothing
//! a citizen or staff typed about the citizen.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::*;
use crate::common::*;

/// The person behind `sudo -u loket loket …`.
const PERSON: &str = "operator-rina";

fn as_person(args: &[&str]) -> Output {
    let out = as_person_cmd(args).output().unwrap();
    assert!(out.status.success(), "loket {args:?}: {}", stderr(&out));
    out
}

fn as_person_cmd(args: &[&str]) -> Command {
    let mut cmd = loket();
    cmd.args(args).env("SUDO_USER", PERSON).env_remove("USER");
    cmd
}

/// Every audit line under `data`.
fn audit_lines(data: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    if let Ok(files) = fs::read_dir(data.join("audit")) {
        for file in files.flatten() {
            let text = fs::read_to_string(file.path()).unwrap();
            lines.extend(text.lines().map(str::to_string));
        }
    }
    lines
}

/// The lines of `action` by [`PERSON`], as `[staff, action, ticket, detail]`.
fn by_person(lines: &[String], action: &str) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            l.split('\t')
                .skip(1)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|f| f.len() == 4 && f[0] == PERSON && f[1] == action)
        .collect()
}

#[test]
fn every_cli_action_is_audited_with_the_person_and_no_personal_data() {
    let (tmp, data) = data_with_records();
    let site = TempSite::fixture();
    let d = data_arg(&data);
    let ticket = "KP-20261120-CDFH";
    // What staff might type about the citizen into a note.
    let note = "Siti Aminah 3517015205900001 081234567890";

    as_person(&["inbox", "--data", d, "--on", "2026-12-31"]);
    as_person(&["show", ticket, "--data", d]);
    as_person(&[
        "status",
        ticket,
        "diperiksa",
        "--berkas",
        "lengkap",
        "--note",
        note,
        "--at",
        "2026-11-21 10:00",
        "--data",
        d,
        "--root",
        site.root_str(),
    ]);
    // The case's history names the person, not the account that ran it.
    let record = fs::read_to_string(data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml"));
    let record = record.unwrap();
    assert!(record.contains(&format!("by: {PERSON}")), "{record}");
    let report_out = tmp.path().join("laporan");
    as_person(&[
        "report",
        "--month",
        "2026-11",
        "--on",
        "2026-12-05",
        "--data",
        d,
        "--root",
        site.root_str(),
        "--out",
        report_out.to_str().unwrap(),
    ]);
    let archive = tmp.path().join("cadangan.tar");
    as_person(&["backup", "--to", archive.to_str().unwrap(), "--data", d]);
    let mut add = as_person_cmd(&[
        "staff",
        "add",
        "Dewi Lestari",
        "--password-stdin",
        "--data",
        d,
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"kata-sandi-yang-panjang\n")
        .unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success(), "{}", stderr(&added));
    as_person(&[
        "purge",
        "--data",
        d,
        "--root",
        site.root_str(),
        "--on",
        "2035-01-01",
    ]);
    let restored = tmp.path().join("pulih");
    let restore = as_person_cmd(&[
        "restore",
        archive.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    // (The hand-made records carry no attachments: verify may complain.)
    assert!(
        stdout(&restore).contains("dipulihkan"),
        "{}",
        stderr(&restore)
    );

    let lines = audit_lines(&data);
    let all = lines.join("\n");
    for action in [
        "inbox",
        "show",
        "status",
        "report",
        "backup",
        "purge",
        "account-added",
    ] {
        let found = by_person(&lines, action);
        assert_eq!(found.len(), 1, "one {action} line by {PERSON}:\n{all}");
        assert!(found[0][3].starts_with("cli"), "{:?}", found[0]);
    }
    assert_eq!(by_person(&lines, "show")[0][2], ticket);
    assert_eq!(by_person(&lines, "status")[0][2], ticket);
    assert_eq!(by_person(&lines, "status")[0][3], "cli diperiksa");
    assert_eq!(by_person(&lines, "report")[0][3], "cli 2026-11");
    let restored_lines = audit_lines(&restored);
    assert_eq!(
        by_person(&restored_lines, "restore").len(),
        1,
        "{restored_lines:?}"
    );
    for secret in [
        "Siti",
        "Aminah",
        "3517015205900001",
        "3517 0152",
        "081234567890",
        "kata-sandi",
    ] {
        assert!(!all.contains(secret), "{secret} in the audit log:\n{all}");
    }
}

/// A command that shows personal data shows nothing when its audit line
/// cannot be written.
#[test]
fn show_shows_nothing_without_its_audit_line() {
    let (_tmp, data) = data_with_records();
    // A file where the audit folder should be: nothing can be appended.
    fs::write(data.join("audit"), "not a folder").unwrap();
    let out = as_person_cmd(&["show", "KP-20261120-CDFH", "--data", data_arg(&data)])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!stdout(&out).contains("Siti"), "{}", stdout(&out));
    assert!(stderr(&out).contains("audit log"), "{}", stderr(&out));
}
