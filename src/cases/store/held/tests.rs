use std::os::unix::fs::PermissionsExt;

use bytes::Bytes;
use time::macros::date;

use crate::forms::{FormSpec, Forms};

fn kp() -> &'static FormSpec {
    Forms::builtin().get("permohonan").unwrap()
}

fn pl() -> &'static FormSpec {
    Forms::builtin().get("pengaduan-layanan").unwrap()
}

use super::*;
use crate::cases::layout::TMP_DIR;
use crate::cases::ticket::Ticket;

use crate::cases::store::tests::{pdf, private_tmp};

/// A scanned KTP, as a PDF: kept byte for byte.
fn ktp() -> Vec<u8> {
    pdf(2000)
}

async fn draft_with(store: &Store, field: &str, bytes: &[u8], name: &str) -> Draft {
    let mut draft = store.draft().unwrap();
    let mut w = draft.file_writer(field);
    w.write(Bytes::copy_from_slice(bytes)).await.unwrap();
    draft.finish_file(w, name).await.unwrap();
    draft
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn never(_: &str) -> bool {
    false
}

#[tokio::test]
async fn uploads_received_unchecked_are_held_raw_and_sanitized_after_adoption() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let mut draft = store.draft().unwrap();
    let mut w = draft.file_writer("ktp");
    w.write(Bytes::from(ktp())).await.unwrap();
    let check = draft.receive_file(w, "scan.pdf").await.unwrap();
    assert_eq!(check.detected, Some(FileKind::Pdf));
    assert!(draft.has_unchecked() && draft.attachments().is_empty());
    let held = draft.hold(&store).unwrap().expect("a file to hold");
    assert!(held.attachments.is_empty());
    assert_eq!(held.unchecked[0].original_name, "scan.pdf");
    let folder = store.layout().held_dir().join(&held.token);
    assert_eq!(mode(&folder.join(".raw-ktp")), 0o600);

    let mut again = store.draft().unwrap();
    let files = again.adopt_held(&store, kp(), &held.token, never).unwrap();
    assert_eq!(files["ktp"].detected, Some(FileKind::Pdf));
    assert!(again.has_unchecked());
    // Sanitized once the text is right (server::forms).
    let checks = again.check_uploads().await.unwrap();
    assert_eq!(checks["ktp"].refused, None);
    assert!(!again.has_unchecked());
    assert_eq!(again.attachments()[0].stored_name, "ktp.pdf");
    assert_eq!(again.attachments()[0].original_name, "scan.pdf");
}

#[tokio::test]
async fn held_files_are_private_and_come_back_whole_into_a_commit() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let draft = draft_with(&store, "ktp", &ktp(), "foto <ktp>.pdf").await;
    let held = draft.hold(&store).unwrap().expect("a file to hold");
    assert_eq!(held.token.len(), 32);
    assert_eq!(
        parse_token(&held.token).as_deref(),
        Some(held.token.as_str())
    );
    assert_eq!(held.attachments[0].original_name, "foto <ktp>.pdf");
    let folder = store.layout().held_dir().join(&held.token);
    assert_eq!(mode(&store.layout().held_dir()), 0o700);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&folder.join("ktp.pdf")), 0o600);
    assert_eq!(mode(&folder.join(MANIFEST)), 0o600);

    let mut again = store.draft().unwrap();
    let files = again.adopt_held(&store, kp(), &held.token, never).unwrap();
    assert_eq!(files["ktp"].size, ktp().len() as u64);
    assert_eq!(files["ktp"].detected, Some(FileKind::Pdf));
    assert_eq!(again.attachments(), &held.attachments[..]);
    let ticket = again
        .commit(
            &store,
            "KP",
            date!(2026 - 11 - 27),
            |t| Ok(format!("ticket: {t}\n")),
            None,
        )
        .await
        .unwrap();
    let folder_of = |t: &Ticket| store.layout().record_path(t).unwrap().with_extension("");
    assert_eq!(fs::read(folder_of(&ticket).join("ktp.pdf")).unwrap(), ktp());
    // The held folder is still there for a second press of the button.
    assert!(folder.join("ktp.pdf").is_file());
}

#[tokio::test]
async fn a_file_sent_again_replaces_the_held_one_and_other_forms_take_nothing() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let held = draft_with(&store, "ktp", &ktp(), "ktp.pdf")
        .await
        .hold(&store)
        .unwrap()
        .unwrap();
    let mut draft = store.draft().unwrap();
    let own = |field: &str| field == "ktp";
    let files = draft.adopt_held(&store, kp(), &held.token, own).unwrap();
    assert!(files.is_empty());
    // The complaint form has no `ktp` field.
    let files = draft.adopt_held(&store, pl(), &held.token, never).unwrap();
    assert!(files.is_empty());
    assert!(draft.attachments().is_empty());
}

#[tokio::test]
async fn bad_unknown_and_expired_tokens_give_nothing() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let held = draft_with(&store, "ktp", &ktp(), "ktp.pdf")
        .await
        .hold(&store)
        .unwrap()
        .unwrap();
    let mut draft = store.draft().unwrap();
    for token in [
        "",
        "../../submissions",
        "zz",
        &held.token.to_uppercase(),
        &format!("{}0", held.token),
        "0123456789abcdef0123456789abcdef",
    ] {
        let files = draft.adopt_held(&store, kp(), token, never).unwrap();
        assert!(files.is_empty(), "{token:?}");
    }
    // An hour later the token is no good, and its folder goes on use.
    let later = SystemTime::now() + HOLD_FOR;
    let files = draft
        .adopt_held_at(&store, kp(), &held.token, never, later)
        .unwrap();
    assert!(files.is_empty());
    assert!(!store.layout().held_dir().join(&held.token).exists());
}

#[tokio::test]
async fn the_sweep_removes_expired_held_folders_only() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let now = SystemTime::now();
    assert_eq!(
        sweep(store.layout(), &store.held_usage, now).unwrap(),
        0,
        "nothing held yet"
    );
    let old = draft_with(&store, "ktp", &ktp(), "ktp.pdf")
        .await
        .hold_at(&store, now - HOLD_FOR)
        .unwrap()
        .unwrap();
    let young = draft_with(&store, "ktp", &ktp(), "ktp.pdf")
        .await
        .hold_at(&store, now - HOLD_FOR + Duration::from_secs(120))
        .unwrap()
        .unwrap();
    // A folder without a readable list is removed too.
    let junk = store.layout().held_dir().join("junk");
    fs::create_dir_all(&junk).unwrap();
    assert_eq!(sweep(store.layout(), &store.held_usage, now).unwrap(), 2);
    assert!(!store.layout().held_dir().join(&old.token).exists());
    assert!(!junk.exists());
    assert!(
        store
            .layout()
            .held_dir()
            .join(&young.token)
            .join("ktp.pdf")
            .is_file()
    );
    // Two minutes later it has expired as well.
    let later = now + Duration::from_secs(120);
    assert_eq!(sweep(store.layout(), &store.held_usage, later).unwrap(), 1);
    assert_eq!(fs::read_dir(store.layout().held_dir()).unwrap().count(), 0);
}

#[tokio::test]
async fn past_the_limit_files_are_not_held_until_the_sweep_makes_room() {
    let tmp = private_tmp();
    let mut store = Store::open(tmp.path()).unwrap();
    store.held_usage = Arc::new(Usage {
        max_bytes: 3 * ktp().len() as u64,
        max_folders: 2,
        ..Usage::default()
    });
    let hold = async |store: &Store, at: SystemTime| {
        draft_with(store, "ktp", &ktp(), "ktp.pdf")
            .await
            .hold_at(store, at)
            .unwrap()
    };
    let now = SystemTime::now();
    assert!(hold(&store, now - HOLD_FOR).await.is_some());
    assert!(hold(&store, now).await.is_some());
    assert!(hold(&store, now).await.is_none(), "two folders at most");
    assert_eq!(fs::read_dir(store.layout().held_dir()).unwrap().count(), 2);
    assert_eq!(
        fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(),
        1,
        "no draft left"
    );
    // The sweep removes the expired one and recounts.
    assert_eq!(sweep(store.layout(), &store.held_usage, now).unwrap(), 1);
    assert!(hold(&store, now).await.is_some());
    // Two KTPs held; a third fits the folders but not the bytes.
    store.held_usage = Arc::new(Usage {
        max_bytes: 3 * ktp().len() as u64 - 1,
        max_folders: 10,
        ..Usage::default()
    });
    sweep(store.layout(), &store.held_usage, now).unwrap();
    assert!(hold(&store, now).await.is_none(), "bytes at most");
}

#[tokio::test]
async fn nothing_to_hold_leaves_nothing() {
    let tmp = private_tmp();
    let store = Store::open(tmp.path()).unwrap();
    let draft = draft_with(&store, "ktp", b"GIF89a no", "x.gif").await;
    assert!(draft.hold(&store).unwrap().is_none());
    assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 0);
}
