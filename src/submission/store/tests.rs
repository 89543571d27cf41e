//! The store's own tests: commits, clean-up, failed syncs.

use super::*;
use time::macros::date;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn commits_record_and_files_privately() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let store = Store::open(&data).unwrap();
    let mut draft = store.draft().unwrap();
    let mut w = draft.file_writer("ktp");
    w.write(Bytes::from_static(&[0xFF, 0xD8, 0xFF, 0xE0]))
        .await
        .unwrap();
    w.write(Bytes::from_static(b"rest of jpeg")).await.unwrap();
    let check = draft.finish_file(w, "../../KTP saya.jpg");
    assert_eq!(check.detected, Some(FileType::Jpeg));
    let day = date!(2026 - 11 - 27);
    let ticket = draft
        .commit(&store, FormKind::Permohonan, day, |t| {
            Ok(format!("ticket: {t}\n"))
        })
        .await
        .unwrap();
    let yaml = store.record_path(&ticket).unwrap();
    assert_eq!(
        fs::read_to_string(&yaml).unwrap(),
        format!("ticket: {ticket}\n")
    );
    let folder = yaml.with_extension("");
    assert!(folder.join("ktp.jpg").is_file());
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&yaml), 0o600);
    assert_eq!(mode(&folder.join("ktp.jpg")), 0o600);
    assert_eq!(fs::read_dir(data.join(TMP_DIR)).unwrap().count(), 0);
}

#[tokio::test]
async fn rejected_upload_and_dropped_draft_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    {
        let mut draft = store.draft().unwrap();
        let mut w = draft.file_writer("ktp");
        w.write(Bytes::from_static(b"GIF89a not accepted"))
            .await
            .unwrap();
        let check = draft.finish_file(w, "x.gif");
        assert_eq!(check.detected, None);
        assert!(draft.attachments().is_empty());
    }
    assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 0);
}

#[tokio::test]
async fn upload_in_odd_pieces_is_stored_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    // Three batches' worth, the type-telling head split over three chunks.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..3 * WRITE_BATCH).map(|i| (i % 251) as u8));
    let mut draft = store.draft().unwrap();
    let mut w = draft.file_writer("surat_kuasa");
    let bytes = Bytes::from(bytes);
    w.write(bytes.slice(..3)).await.unwrap();
    w.write(bytes.slice(3..5)).await.unwrap();
    for start in (5..bytes.len()).step_by(100_003) {
        let end = (start + 100_003).min(bytes.len());
        w.write(bytes.slice(start..end)).await.unwrap();
    }
    assert_eq!(w.size(), bytes.len() as u64);
    let check = draft.finish_file(w, "scan.png");
    assert_eq!(check.detected, Some(FileType::Png));
    let stored = &draft.attachments()[0];
    assert_eq!(stored.stored_name, "surat-kuasa.png");
    assert_eq!(stored.sha256, format!("{:x}", Sha256::digest(&bytes)));
    let ticket = draft
        .commit(&store, FormKind::Permohonan, date!(2026 - 11 - 27), |t| {
            Ok(format!("ticket: {t}\n"))
        })
        .await
        .unwrap();
    let folder = store.record_path(&ticket).unwrap().with_extension("");
    assert_eq!(fs::read(folder.join("surat-kuasa.png")).unwrap(), bytes);
}

#[tokio::test]
async fn dropped_draft_takes_its_uploads_along() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let tmp_entries = || fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count();
    {
        let mut draft = store.draft().unwrap();
        let mut w = draft.file_writer("ktp");
        w.write(Bytes::from_static(b"%PDF-1.7 a letter"))
            .await
            .unwrap();
        // More than a batch: part of it goes to disk before the commit.
        w.write(Bytes::from(vec![b' '; WRITE_BATCH])).await.unwrap();
        assert_eq!(tmp_entries(), 1, "the draft folder");
        draft.finish_file(w, "ktp.pdf");
    }
    assert_eq!(tmp_entries(), 0);
}

async fn one_pdf_draft(store: &Store) -> Draft {
    let mut draft = store.draft().unwrap();
    let mut w = draft.file_writer("ktp");
    w.write(Bytes::from_static(b"%PDF-1.7 a letter"))
        .await
        .unwrap();
    draft.finish_file(w, "ktp.pdf");
    draft
}

#[tokio::test]
async fn a_failed_sync_fails_every_draft_begun_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    // The first sync reports a write-back error, the later ones succeed.
    let mut syncs = 0;
    let store = Store::open_with(tmp.path(), |_| {
        Box::new(move || {
            syncs += 1;
            if syncs == 1 {
                Err(io::Error::other("EIO"))
            } else {
                Ok(())
            }
        })
    })
    .unwrap();
    let day = date!(2026 - 11 - 27);
    let record = |t: &Ticket| Ok(format!("ticket: {t}\n"));
    let early = one_pdf_draft(&store).await;
    let unlucky = one_pdf_draft(&store).await;
    assert!(
        unlucky
            .commit(&store, FormKind::Permohonan, day, record)
            .await
            .is_err(),
        "its own sync failed"
    );
    let late = one_pdf_draft(&store).await;
    // The failed write-back may have been this draft's pages, so its
    // own successful sync proves nothing.
    assert!(
        early
            .commit(&store, FormKind::Permohonan, day, record)
            .await
            .is_err()
    );
    let ticket = late
        .commit(&store, FormKind::Permohonan, day, record)
        .await
        .unwrap();
    let yaml = store.record_path(&ticket).unwrap();
    assert!(yaml.with_extension("").join("ktp.pdf").is_file());
    let day_dir = store.day_dir(day);
    assert_eq!(
        fs::read_dir(&day_dir).unwrap().count(),
        2,
        "only the late one's record and folder"
    );
    assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 0);
}

#[test]
fn opening_cleans_drafts_and_orphans() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let stale = tmp.path().join(TMP_DIR).join("dead");
    fs::create_dir_all(&stale).unwrap();
    let day = store.day_dir(date!(2026 - 11 - 27));
    fs::create_dir_all(day.join("KP-20261127-CDFH")).unwrap();
    fs::create_dir_all(day.join("KP-20261127-HJKM")).unwrap();
    fs::write(day.join("KP-20261127-HJKM.yaml"), "ticket: x\n").unwrap();
    fs::write(day.join(".KP-20261127-HJKM.yaml.tmp-1"), "ticket: x\n").unwrap();
    Store::open(tmp.path()).unwrap();
    assert!(!day.join(".KP-20261127-HJKM.yaml.tmp-1").exists());
    assert!(!stale.exists());
    assert!(!day.join("KP-20261127-CDFH").exists(), "orphan removed");
    assert!(day.join("KP-20261127-HJKM").exists(), "complete one kept");
}
