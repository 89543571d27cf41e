//! The store's own tests: commits, sanitized uploads, clean-up at start,
//! failed syncs, adopting a data folder.

use bytes::Bytes;
use sha2::Digest;
use time::macros::date;

use super::*;
use crate::cases::layout::{MARKER, SUBMISSIONS_DIR, TMP_DIR};
use crate::forms::validate::FileKind;
use std::os::unix::fs::PermissionsExt;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A small real JPEG.
fn jpeg() -> Vec<u8> {
    let pixels: Vec<u8> = (0..16 * 16 * 3).map(|i| (i * 7 % 251) as u8).collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 80)
        .encode(&pixels, 16, 16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// A temp folder only its owner can open: what a data folder must be.
pub(super) fn private_tmp() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o700)).unwrap();
    tmp
}

/// A plain PDF of about `len` bytes.
pub(super) fn pdf(len: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let filler = len.saturating_sub(200);
    let offset = out.len();
    out.extend(format!("1 0 obj\n<< /Length {filler} >>\nstream\n").bytes());
    out.extend((0..filler).map(|i| (i % 251) as u8));
    out.extend(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend(format!("xref\n0 2\n0000000000 65535 f \n{offset:010} 00000 n \ntrailer\n<< /Size 2 >>\nstartxref\n{xref}\n%%EOF\n").bytes());
    out
}

async fn draft_with(store: &Store, field: &str, bytes: &[u8], chunk: usize) -> Draft {
    let mut draft = store.draft().unwrap();
    let mut w = draft.file_writer(field);
    for piece in bytes.chunks(chunk) {
        w.write(Bytes::copy_from_slice(piece)).await.unwrap();
    }
    let check = draft.finish_file(w, "x").await.unwrap();
    assert_eq!(check.refused, None);
    draft
}

fn record(t: &Ticket) -> io::Result<String> {
    Ok(format!("ticket: {t}\n"))
}

const DAY: Date = date!(2026 - 11 - 27);

#[tokio::test]
async fn commits_record_and_sanitized_files_privately() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let store = Store::open(&data).unwrap();
    let mut draft = store.draft().unwrap();
    let mut w = draft.file_writer("ktp");
    let mut sent = jpeg();
    sent.extend(b"<html>not part of the picture</html>");
    w.write(Bytes::from(sent.clone())).await.unwrap();
    let check = draft.finish_file(w, "../../KTP saya.jpg").await.unwrap();
    assert_eq!(check.detected, Some(FileKind::Jpeg));
    assert_eq!(check.size, sent.len() as u64);
    let ticket = draft.commit(&store, "KP", DAY, record, None).await.unwrap();
    let yaml = store.layout().record_path(&ticket).unwrap();
    assert_eq!(
        fs::read_to_string(&yaml).unwrap(),
        format!("ticket: {ticket}\n")
    );
    let folder = yaml.with_extension("");
    let kept = fs::read(folder.join("ktp.jpg")).unwrap();
    assert!(kept.starts_with(&[0xFF, 0xD8]));
    assert!(
        !kept.windows(6).any(|w| w == b"<html>"),
        "only pixels are kept"
    );
    assert_eq!(
        fs::read_dir(&folder).unwrap().count(),
        1,
        "no raw upload left"
    );
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&yaml), 0o600);
    assert_eq!(mode(&folder.join("ktp.jpg")), 0o600);
    assert!(data.join(MARKER).is_file());
    assert_eq!(fs::read_dir(data.join(TMP_DIR)).unwrap().count(), 0);
}

#[tokio::test]
async fn refused_uploads_and_dropped_drafts_leave_nothing() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let tmp_entries = || fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count();
    {
        let mut draft = store.draft().unwrap();
        let mut w = draft.file_writer("ktp");
        w.write(Bytes::from_static(b"GIF89a not accepted"))
            .await
            .unwrap();
        let check = draft.finish_file(w, "x.gif").await.unwrap();
        assert_eq!(check.detected, None);
        // A JPEG header followed by a web page: refused with a reason.
        let mut w = draft.file_writer("dokumen_1");
        w.write(Bytes::from_static(
            b"\xFF\xD8\xFF\xE0<html><script>x</script>",
        ))
        .await
        .unwrap();
        let check = draft.finish_file(w, "x.jpg").await.unwrap();
        assert_eq!(check.detected, Some(FileKind::Jpeg));
        assert!(check.refused.is_some());
        assert!(draft.attachments().is_empty());
        // More than a batch goes to disk before the upload ends.
        let mut w = draft.file_writer("dokumen_2");
        w.write(Bytes::from(pdf(600 * 1024))).await.unwrap();
        assert_eq!(tmp_entries(), 1, "the draft folder");
    }
    assert_eq!(tmp_entries(), 0);
}

#[tokio::test]
async fn a_pdf_in_any_pieces_is_kept_byte_for_byte() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let bytes = pdf(3 * 256 * 1024 + 4097);
    for chunk in [1, 3, 100_003] {
        let draft = draft_with(&store, "surat_kuasa", &bytes, chunk).await;
        let stored = &draft.attachments()[0];
        assert_eq!(stored.stored_name, "surat-kuasa.pdf");
        assert_eq!(stored.sha256, format!("{:x}", sha2::Sha256::digest(&bytes)));
        let ticket = draft.commit(&store, "KP", DAY, record, None).await.unwrap();
        let folder = store
            .layout()
            .record_path(&ticket)
            .unwrap()
            .with_extension("");
        assert_eq!(fs::read(folder.join("surat-kuasa.pdf")).unwrap(), bytes);
    }
}

#[test]
fn opening_removes_only_what_the_store_left_half_done() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let stale = tmp.path().join(TMP_DIR).join("dead");
    fs::create_dir_all(&stale).unwrap();
    let day = store.layout().day_dir(DAY);
    fs::create_dir_all(&day).unwrap();
    let staged = |ticket: &str| day.join(format!(".{ticket}.staging"));
    // Staged, record never moved: removed.
    fs::create_dir_all(staged("KP-20261127-CDFH")).unwrap();
    // Staged, record in place: finished.
    fs::create_dir_all(staged("KP-20261127-HJKM")).unwrap();
    fs::write(staged("KP-20261127-HJKM").join("ktp.jpg"), "k").unwrap();
    fs::write(day.join("KP-20261127-HJKM.yaml"), "ticket: x\n").unwrap();
    // A status update's temp file: removed.
    fs::write(day.join(".loket-abc123.tmp"), "ticket: x\n").unwrap();
    // Staff renamed a record by hand: its folder and the file stay.
    fs::create_dir_all(day.join("KP-20261127-MNPR")).unwrap();
    fs::write(day.join("KP-20261127-MNPR.yaml.bak"), "ticket: y\n").unwrap();
    fs::write(day.join("catatan.txt"), "punya petugas").unwrap();
    drop(store);
    Store::open(tmp.path()).unwrap();
    assert!(!stale.exists());
    assert!(!staged("KP-20261127-CDFH").exists(), "half-done removed");
    assert!(
        day.join("KP-20261127-HJKM/ktp.jpg").is_file(),
        "committed one finished"
    );
    assert!(!day.join(".loket-abc123.tmp").exists());
    assert!(day.join("KP-20261127-MNPR").is_dir(), "not ours to delete");
    assert!(day.join("KP-20261127-MNPR.yaml.bak").is_file());
    assert!(day.join("catatan.txt").is_file());
}

#[test]
fn only_loket_folders_are_adopted_and_never_chmodded() {
    let tmp = tempfile::tempdir().unwrap();
    // A shared folder with other files: refused, left exactly as it was.
    let shared = tmp.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(shared.join(TMP_DIR)).unwrap();
    fs::write(shared.join(TMP_DIR).join("keep"), "x").unwrap();
    fs::write(shared.join("laporan.docx"), "x").unwrap();
    assert!(matches!(Store::open(&shared), Err(OpenError::NotOurs(_))));
    assert_eq!(mode(&shared), 0o755);
    assert!(shared.join(TMP_DIR).join("keep").is_file());
    // An empty folder others can read: refused, not chmodded.
    let open = tmp.path().join("open");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(
        Store::open(&open),
        Err(OpenError::NotPrivate { .. })
    ));
    assert_eq!(mode(&open), 0o755);
    assert!(!open.join(MARKER).exists());
    // A private empty folder, or a data folder from before the marker: adopted.
    let old = tmp.path().join("old");
    fs::create_dir_all(old.join(SUBMISSIONS_DIR)).unwrap();
    fs::set_permissions(&old, fs::Permissions::from_mode(0o700)).unwrap();
    Store::open(&old).unwrap();
    assert!(old.join(MARKER).is_file());
    // A new one is made private, whatever the umask.
    let new = tmp.path().join("new/data");
    Store::open(&new).unwrap();
    assert_eq!(mode(&new), 0o700);
}

#[tokio::test]
async fn a_submission_after_the_data_folder_was_removed_recreates_it_or_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let store = Store::open(&data).unwrap();
    fs::remove_dir_all(&data).unwrap();
    let draft = draft_with(&store, "ktp", &jpeg(), 1024).await;
    // The folder the store opened is gone: this batch fails (its sync
    // would not reach what was written), the folder is reopened, the next
    // one succeeds.
    let err = draft
        .commit(&store, "KP", DAY, record, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("data folder"), "{err}");
    let draft = draft_with(&store, "ktp", &jpeg(), 1024).await;
    let ticket = draft.commit(&store, "KP", DAY, record, None).await.unwrap();
    assert!(store.layout().record_path(&ticket).unwrap().is_file());
    assert_eq!(mode(&data), 0o700);
}

#[tokio::test]
async fn a_failed_sync_fails_every_draft_begun_before_it() {
    let tmp = private_tmp();
    // The first sync reports a write-back error, the later ones succeed.
    let mut syncs = 0;
    let store = Store::open_with(
        tmp.path(),
        Box::new(move |_| {
            syncs += 1;
            if syncs == 1 {
                Err(io::Error::other("EIO"))
            } else {
                Ok(())
            }
        }),
    )
    .unwrap();
    let early = draft_with(&store, "ktp", &pdf(1000), 64).await;
    let unlucky = draft_with(&store, "ktp", &pdf(1000), 64).await;
    assert!(
        unlucky
            .commit(&store, "KP", DAY, record, None)
            .await
            .is_err(),
        "its own sync failed"
    );
    let late = draft_with(&store, "ktp", &pdf(1000), 64).await;
    // The failed write-back may have been this draft's pages, so its own
    // successful sync proves nothing.
    assert!(early.commit(&store, "KP", DAY, record, None).await.is_err());
    let ticket = late.commit(&store, "KP", DAY, record, None).await.unwrap();
    let yaml = store.layout().record_path(&ticket).unwrap();
    assert!(yaml.with_extension("").join("ktp.pdf").is_file());
    assert_eq!(
        fs::read_dir(store.layout().day_dir(DAY)).unwrap().count(),
        2,
        "only the late one's record and folder"
    );
    assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 0);
}

/// Files added to a case later: moved in under new names, private, listed
/// with who added them and a history entry in one write; when the record
/// cannot be written, nothing of them is left.
#[tokio::test]
async fn adds_files_to_a_case_or_leaves_nothing() {
    use crate::cases::record::{AddedFrom, Record};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let store = Store::open(&data).unwrap();
    let draft = draft_with(&store, "ktp", &jpeg(), 1000).await;
    let ticket = draft
        .commit(&store, "KP", DAY, |t| {
            Ok(format!(
                "ticket: {t}\nkind: permohonan\nreceived_at: 2026-11-27T10:00:00+07:00\nstatus: menunggu-kelengkapan\nresponse_due: 2026-12-04\nattachments:\n- field: ktp\n  stored_name: ktp.jpg\n  original_name: x\n  size: 1\n  type: image/jpeg\n  sha256: ab\nhistory: []\n"
            ))
        }, None)
        .await
        .unwrap();
    let yaml = store.layout().record_path(&ticket).unwrap();
    let folder = yaml.with_extension("");
    let before = fs::read_to_string(&yaml).unwrap();
    let addition = attach::Addition {
        from: AddedFrom::Pemohon,
        by: "pemohon".into(),
        at: crate::cases::parse_local_time("2026-11-30 10:00").unwrap(),
        reply: Some("KTP baru".into()),
        note: None,
        field: None,
    };
    let refused = draft_with(&store, "ktp", &jpeg(), 1000).await.add_to_case(
        &data,
        ticket.as_str(),
        &addition,
        |_, _| Err(crate::cases::RecordError::Missing("no".into())),
    );
    assert!(refused.is_err());
    assert_eq!(fs::read_to_string(&yaml).unwrap(), before);
    assert!(!folder.join("balasan-ktp-1.jpg").exists());

    let added = draft_with(&store, "ktp", &pdf(2000), 1000)
        .await
        .add_to_case(&data, ticket.as_str(), &addition, |_, text| {
            Ok(text.to_string())
        })
        .unwrap();
    assert_eq!(added.attachments[0].stored_name, "balasan-ktp-1.pdf");
    assert_eq!(mode(&folder.join("balasan-ktp-1.pdf")), 0o600);
    let record = Record::parse(&yaml, &fs::read_to_string(&yaml).unwrap()).unwrap();
    assert_eq!(record.attachments.len(), 2);
    assert_eq!(record.attachments[1].added_by.as_deref(), Some("pemohon"));
    assert_eq!(record.history.len(), 1);
    assert!(record.history[0].is_reply());
    assert_eq!(record.history[0].status, "menunggu-kelengkapan");
    let files = record.history[0].added.as_ref().unwrap();
    assert_eq!(files.files, ["balasan-ktp-1.pdf"]);
    assert_eq!(files.reply.as_deref(), Some("KTP baru"));
}
