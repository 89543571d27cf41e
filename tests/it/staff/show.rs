//! `loket show`: the record and its attachment paths, and never a file a
//! symbolic link points to.

use std::fs;

use super::*;
use crate::common::*;

#[test]
fn show_prints_the_record_and_its_attachment_paths() {
    let (_tmp, data) = data_with_records();
    let out = run(&["show", "KP-20261120-CDFH", "--data", data_arg(&data)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("nama: Siti Aminah"));
    assert!(text.contains("KP-20261120-CDFH/ktp.jpg"), "{text}");
    let missing = run(&["show", "KP-20261120-TTTT", "--data", data_arg(&data)]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("tidak ada kasus dengan nomor tiket KP-20261120-TTTT"));
    let bad = run(&["show", "../../etc/passwd", "--data", data_arg(&data)]);
    assert!(
        stderr(&bad).contains("bukan nomor tiket"),
        "{}",
        stderr(&bad)
    );
}

/// A record replaced by a symbolic link to another file: `show` does not
/// follow it, and nothing of the other file is printed.
#[test]
fn show_does_not_follow_a_symlinked_record() {
    let (tmp, data) = data_with_records();
    let secret = tmp.path().join("rahasia.txt");
    fs::write(&secret, "isi rahasia orang lain\n").unwrap();
    let path = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&secret, &path).unwrap();
    let out = run(&["show", "KP-20261120-CDFH", "--data", data_arg(&data)]);
    assert!(!out.status.success());
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("symbolic link"), "{said}");
    assert!(!said.contains("isi rahasia"), "{said}");
}
