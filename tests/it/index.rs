//! The records index behind `loket inbox`, `loket report` and the desk's
//! search (`data/.index/records.sqlite`, src/cases/index/), through the real
//! binary: private, holding no more than the tools show and search, never
//! showing a stale record, rebuilt when damaged, and shared by tools running
//! at once.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::submit::{day_dir, record_path};
use crate::common::*;

/// Writes a request as the server would, with every personal field.
fn record(data: &Path, ticket: &str, status: &str, nama: &str) -> PathBuf {
    let day = &ticket[3..11];
    let dir = day_dir(data, ticket);
    fs::create_dir_all(dir.join(ticket)).unwrap();
    fs::write(dir.join(ticket).join("ktp.jpg"), b"\xff\xd8\xff").unwrap();
    let path = dir.join(format!("{ticket}.yaml"));
    let lines = [
        format!("# {ticket}"),
        format!("ticket: {ticket}"),
        "kind: permohonan".into(),
        format!(
            "received_at: {}-{}-{}T09:00:00+07:00",
            &day[0..4],
            &day[4..6],
            &day[6..8]
        ),
        format!("status: {status}"),
        "response_due: 2026-11-27".into(),
        "completion_due: 2026-11-27".into(),
        "fields:".into(),
        "  jenis: pengaduan".into(),
        format!("  nama: {nama}"),
        "  nik: 3517 0152 0590 0001".into(),
        "  alamat: Jl. Kenanga No. 9, Peterongan".into(),
        "  telepon: 0812 3456 7890".into(),
        "  email: warga@contoh.id".into(),
        "  uraian: Tagihan belum dibayar pembeli.".into(),
        "normalized:".into(),
        "  nik: '3517015205900001'".into(),
        "  telepon: '+6281234567890'".into(),
        "attachments:".into(),
        "- field: ktp".into(),
        "  stored_name: ktp.jpg".into(),
        "  original_name: foto.jpg".into(),
        "  size: 3".into(),
        "  type: image/jpeg".into(),
        "  sha256: abc".into(),
        "history: []".into(),
    ];
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// A data folder with `n` requests received in November 2026, old enough
/// for the index to trust them (see `RACY` in src/cases/index.rs).
fn data_with(n: usize) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    const LETTERS: &[u8] = b"CDFHJKMNPRTVWXY34679";
    for i in 0..n {
        let suffix: String = [i / 400 % 20, i / 20 % 20, i % 20, 0]
            .iter()
            .map(|&k| char::from(LETTERS[k]))
            .collect();
        let ticket = format!("KP-202611{:02}-{suffix}", 1 + i % 28);
        record(&data, &ticket, "baru", &format!("Warga Nomor {i}"));
    }
    std::thread::sleep(Duration::from_millis(2100));
    (tmp, data)
}

fn inbox(data: &Path) -> String {
    let out = run(&[
        "inbox",
        "--data",
        data.to_str().unwrap(),
        "--on",
        "2026-11-25",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn index_file(data: &Path) -> PathBuf {
    data.join(".index").join("records.sqlite")
}

/// The index file's identity and time: unchanged when it was not rewritten.
fn identity(data: &Path) -> (u64, i64, i64) {
    let meta = fs::metadata(index_file(data)).unwrap();
    (meta.ino(), meta.mtime(), meta.mtime_nsec())
}

#[test]
fn the_index_is_private_and_holds_only_what_the_tools_show_and_search() {
    let (_tmp, data) = data_with(3);
    // The index of earlier versions, with names in it, goes.
    let old = data.join(".index/records.bin");
    fs::create_dir(data.join(".index")).unwrap();
    fs::set_permissions(data.join(".index"), fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(&old, "LOKETIX3 Warga Nomor 1").unwrap();
    // Whatever the umask says.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"umask 022 && exec "$0" inbox --data "$1""#)
        .arg(env!("CARGO_BIN_EXE_loket"))
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data.join(".index")), 0o700);
    assert_eq!(mode(&index_file(&data)), 0o600);
    assert!(!old.exists());

    let bytes = fs::read(index_file(&data)).unwrap();
    let holds = |text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(holds("Warga Nomor 1"), "the name is shown");
    assert!(holds("3517 **** **** 0001"), "the masked NIK is shown");
    assert!(holds("3517015205900001"), "the NIK is searched");
    assert!(holds("081234567890"), "the phone is searched");
    for private in ["Kenanga", "warga@contoh.id", "Tagihan", "foto.jpg"] {
        assert!(!holds(private), "the index holds {private:?}");
    }
}

#[test]
fn a_status_change_and_a_hand_edit_of_the_same_size_are_seen() {
    let (_tmp, data) = data_with(3);
    let first = inbox(&data);
    assert!(first.contains("Warga Nomor 0"), "{first}");
    let written = identity(&data);
    assert_eq!(inbox(&data), first);
    assert_eq!(identity(&data), written, "nothing changed: not rewritten");

    let ticket = "KP-20261101-CCCC";
    let out = run(&[
        "status",
        ticket,
        "diperiksa",
        "--berkas",
        "lengkap",
        "--by",
        "Rina",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = inbox(&data);
    let line = |text: &str| {
        text.lines()
            .find(|l| l.contains(ticket))
            .unwrap()
            .to_string()
    };
    assert!(line(&after).contains("diperiksa"), "{after}");
    assert_ne!(identity(&data), written, "rewritten with the change");

    // By hand, another record (its entry trusted since the first run):
    // same size, and the modification time put back.
    let path = record_path(&data, "KP-20261102-CCDC");
    let meta = fs::metadata(&path).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replace("Warga Nomor 1", "Warga Nomer 1");
    assert_eq!(edited.len(), text.len());
    fs::write(&path, edited).unwrap();
    let file = fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(meta.modified().unwrap()).unwrap();
    drop(file);
    let meta_after = fs::metadata(&path).unwrap();
    assert_eq!(
        (meta_after.len(), meta_after.modified().unwrap()),
        (meta.len(), meta.modified().unwrap())
    );
    let edited = inbox(&data);
    assert!(
        edited.contains("KP-20261102-CCDC  2026-11-02  permohonan/pengaduan  Warga Nomer 1"),
        "{edited}"
    );
    assert!(!edited.contains("Warga Nomor 1"), "{edited}");
}

#[test]
fn a_removed_record_disappears_and_a_new_one_appears() {
    let (_tmp, data) = data_with(3);
    let first = inbox(&data);
    assert!(first.contains("3 kasus"), "{first}");
    let gone = record_path(&data, "KP-20261102-CCDC");
    fs::remove_file(&gone).unwrap();
    fs::remove_dir_all(gone.with_extension("")).unwrap();
    let after = inbox(&data);
    assert!(after.contains("2 kasus"), "{after}");
    assert!(!after.contains("KP-20261102-CCDC"), "{after}");
    record(&data, "KP-20261110-MNPR", "baru", "Warga Baru");
    let after = inbox(&data);
    assert!(after.contains("3 kasus"), "{after}");
    assert!(after.contains("Warga Baru"), "{after}");
}

#[test]
fn a_damaged_index_is_rebuilt() {
    let (_tmp, data) = data_with(5);
    let expected = inbox(&data);
    let good = fs::read(index_file(&data)).unwrap();
    // SQLite's header: the schema's version (user_version) at 60, the
    // forms' key (application_id) at 68, page 1's b-tree page type at 100.
    let with = |at: usize, byte: u8| {
        let mut bytes = good.clone();
        bytes[at] ^= byte;
        bytes
    };
    let damages: [Vec<u8>; 8] = [
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
        with(63, 0x01),
        with(63, 0x02),
        with(71, 0x01),
        with(100, 0x55),
        Vec::new(),
        b"not an index at all".to_vec(),
    ];
    for damaged in damages {
        fs::write(index_file(&data), &damaged).unwrap();
        assert_eq!(inbox(&data), expected);
        let rebuilt = fs::read(index_file(&data)).unwrap();
        assert_eq!(rebuilt.len(), good.len(), "rebuilt");
        assert_eq!(rebuilt[..101], good[..101], "rebuilt");
    }
    // A record that no longer parses is named, and the rest still listed.
    fs::write(record_path(&data, "KP-20261101-CCCC"), "ticket: [\n").unwrap();
    let out = run(&[
        "inbox",
        "--data",
        data.to_str().unwrap(),
        "--on",
        "2026-11-25",
    ]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("KP-20261101-CCCC.yaml"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("4 kasus"), "{}", stdout(&out));
}

#[test]
fn tools_running_at_once_agree() {
    let (_tmp, data) = data_with(60);
    let expected = inbox(&data);
    fs::remove_dir_all(data.join(".index")).unwrap();
    for _round in 0..2 {
        // First with no index (each run writes one), then with one.
        let runs: Vec<_> = (0..6)
            .map(|i| {
                let args = ["--data", data.to_str().unwrap()];
                let mut cmd = loket();
                if i % 2 == 0 {
                    cmd.args(["inbox", "--on", "2026-11-25"]);
                } else {
                    let out = data.join(format!("laporan-{i}"));
                    cmd.args(["report", "--month", "2026-11", "--on", "2026-11-25"])
                        .args(["--root", repo_root().to_str().unwrap()])
                        .args(["--out", out.to_str().unwrap()]);
                }
                cmd.args(args)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, child) in runs.into_iter().enumerate() {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            if i % 2 == 0 {
                assert_eq!(stdout(&out), expected);
            } else {
                assert!(stdout(&out).contains("60 kasus"), "{}", stdout(&out));
            }
        }
    }
    // What was left is a whole index that the next run trusts.
    let written = identity(&data);
    assert_eq!(inbox(&data), expected);
    assert_eq!(identity(&data), written);
    let leftovers: Vec<_> = fs::read_dir(data.join(".index"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["records.sqlite"]);
}

#[test]
fn records_too_fresh_to_trust_are_trusted_once_old_enough() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let path = record(&data, "KP-20261102-CCCC", "baru", "Warga Baru");
    // Written just now: read, but not trusted at the next run either. (The
    // run's clock starts at the file's own second, however slowly the
    // process starts.)
    let written = time::OffsetDateTime::from(fs::metadata(&path).unwrap().modified().unwrap())
        .to_offset(time::macros::offset!(+7));
    let at = written
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap();
    let first = loket_at(&at)
        .args([
            "inbox",
            "--data",
            data.to_str().unwrap(),
            "--on",
            "2026-11-25",
        ])
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("Warga Baru"));
    std::thread::sleep(Duration::from_millis(2100));
    // Old enough now: read once more and stamped anew...
    let before = identity(&data);
    assert!(inbox(&data).contains("Warga Baru"));
    let stamped = identity(&data);
    assert_ne!(stamped, before, "the fresh entry was stamped anew");
    // ...and from then on taken from the index without a rewrite.
    std::thread::sleep(Duration::from_millis(20));
    assert!(inbox(&data).contains("Warga Baru"));
    assert_eq!(identity(&data), stamped, "trusted: nothing read again");
}

/// The staff desk keeps the index in memory between pages
/// (`loket::cases::index::Memo`): what loket writes (a rename in the
/// record's folder) shows on the next page, a hand edit in place within the
/// 5 s between two takings of every file's stamp, and the file is not
/// rewritten when nothing changed.
#[test]
fn the_desks_index_in_memory_sees_every_change() {
    use loket::cases::index::Memo;
    use loket::forms::Forms;
    let (_tmp, data) = data_with(3);
    let memo = Memo::default();
    let statuses = |memo: &Memo| -> Vec<(String, String)> {
        let (all, problems) = memo.summaries(&data, Forms::builtin());
        assert!(problems.is_empty(), "{problems:?}");
        all.iter()
            .map(|s| (s.name.clone(), s.status.clone()))
            .collect()
    };
    assert_eq!(statuses(&memo).len(), 3);
    std::thread::sleep(Duration::from_millis(2100));
    statuses(&memo); // stamps the entries as trusted
    let stamped = identity(&data);
    assert_eq!(statuses(&memo).len(), 3);
    assert_eq!(identity(&data), stamped, "nothing changed, nothing written");

    // A status change by another process as loket writes it (a new file
    // renamed over the old), and a record gone.
    let path = record(&data, "KP-20261101-CCCC", "baru", "Warga Nomor 0");
    let text = fs::read_to_string(&path).unwrap();
    let new = path.with_extension("tmp");
    fs::write(&new, text.replace("status: baru", "status: diperiksa")).unwrap();
    fs::rename(&new, &path).unwrap();
    let gone = data.join("submissions/2026/11/02/KP-20261102-CCDC.yaml");
    fs::remove_file(&gone).unwrap();
    let now = statuses(&memo);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(
        now.contains(&("Warga Nomor 0".to_string(), "diperiksa".to_string())),
        "{now:?}"
    );
    assert_ne!(
        identity(&data),
        stamped,
        "the change is written to the file"
    );

    // A hand edit in place: the folder does not change, the file does.
    std::thread::sleep(Duration::from_millis(2100));
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("status: diperiksa", "status: selesai")).unwrap();
    let seen = |memo: &Memo| statuses(memo).iter().any(|(_, s)| s == "selesai");
    std::thread::sleep(Duration::from_millis(5100));
    assert!(seen(&memo), "{:?}", statuses(&memo));
}
