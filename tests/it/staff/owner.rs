//! Root and a data folder that belongs to loket's user: a command that
//! would write there refuses, naming `sudo -u OWNER loket …`, and writes
//! nothing; one that only reads runs (its audit line goes to the folder's
//! owner); `verify` names files whose owner is not the folder's.
//!
//! Run as root (CI is); otherwise skipped with a `SKIPPED:` line.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;
use crate::common::skip::{is_root, skip};
use crate::common::*;

/// `nobody`: a user that is not root, on every Debian.
const OWNER: u32 = 65534;

fn owner_name() -> String {
    let passwd = fs::read_to_string("/etc/passwd").unwrap();
    passwd
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 2 && f[2] == OWNER.to_string()).then(|| f[0].to_string())
        })
        .unwrap_or_else(|| format!("#{OWNER}"))
}

fn chown_all(path: &Path, uid: u32) {
    let status = Command::new("chown")
        .arg("-R")
        .arg(format!("{uid}:{uid}"))
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Every path under `dir` (itself too) with its owner and content.
fn state(dir: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut all = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        let meta = fs::symlink_metadata(&path).unwrap();
        let bytes = if meta.is_dir() {
            for entry in fs::read_dir(&path).unwrap() {
                todo.push(entry.unwrap().path());
            }
            Vec::new()
        } else {
            fs::read(&path).unwrap()
        };
        all.insert(path, (meta.uid(), bytes));
    }
    all
}

#[test]
fn root_is_refused_where_it_would_write_and_verify_names_wrong_owners() {
    if !is_root() {
        skip(
            "staff::owner",
            "needs root (to run loket as root on a folder owned by another user)",
        );
        return;
    }
    let (tmp, data) = data_with_records();
    let site = TempSite::fixture();
    chown_all(&data, OWNER);
    // A place of the owner's for restore's new folder.
    let home = tmp.path().join("rumah");
    fs::create_dir(&home).unwrap();
    chown_all(&home, OWNER);
    let before = state(tmp.path());
    let d = data_arg(&data);
    let (root, archive) = (site.root_str(), tmp.path().join("b.tar"));
    let fresh = home.join("data");
    let name = owner_name();

    let writing: Vec<(&str, Vec<&str>)> = vec![
        (
            "status",
            vec![
                "status",
                "KP-20261120-CDFH",
                "diperiksa",
                "--berkas",
                "lengkap",
            ],
        ),
        ("inbox", vec!["inbox"]),
        (
            "report",
            vec!["report", "--month", "2026-11", "--root", root],
        ),
        ("purge", vec!["purge", "--root", root, "--on", "2035-01-01"]),
        ("backup", vec!["backup", "--to", archive.to_str().unwrap()]),
        (
            "staff add",
            vec!["staff", "add", "Dewi", "--password-stdin"],
        ),
        (
            "staff passwd",
            vec!["staff", "passwd", "Dewi", "--password-stdin"],
        ),
        ("staff remove", vec!["staff", "remove", "Dewi"]),
        (
            "serve",
            vec![
                "serve",
                "--root",
                root,
                "--addr",
                "127.0.0.1:0",
                "--desk-addr",
                "off",
            ],
        ),
    ];
    for (command, args) in &writing {
        // `timeout`: a serve that is not refused would run on.
        let out = Command::new("timeout")
            .arg("60")
            .arg(env!("CARGO_BIN_EXE_loket"))
            .args(args)
            .args(["--data", d])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        let want = format!("sudo -u {name} loket {command} …");
        assert!(err.contains(&want), "{command}: want {want:?} in {err}");
    }
    let out = run(&[
        "restore",
        archive.to_str().unwrap(),
        "--data",
        fresh.to_str().unwrap(),
    ]);
    assert!(
        stderr(&out).contains(&format!("sudo -u {name} loket restore …")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        state(tmp.path()),
        before,
        "nothing written, nothing chowned"
    );

    // Reading is allowed; the audit line's file is given to the owner.
    let out = run(&["show", "KP-20261120-CDFH", "--data", d]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (path, (uid, _)) in state(&data) {
        assert_eq!(uid, OWNER, "{} is root's", path.display());
    }
    let out = run(&["verify", "--data", d]);
    assert!(!stdout(&out).contains("milik"), "{}", stdout(&out));

    // A record left root's (as before this check): verify names it.
    let record = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    chown_all(&record, 0);
    let out = run(&["verify", "--data", d]);
    assert!(!out.status.success());
    let want = format!(
        "{}: milik root, bukan {name} seperti folder data",
        record.display()
    );
    assert!(
        stdout(&out).contains(&want),
        "want {want:?} in {}",
        stdout(&out)
    );
}
