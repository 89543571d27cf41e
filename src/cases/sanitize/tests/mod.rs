//! Tests of the whole [`Sanitizer`]; photos and PDFs have their own files.
//! Fixtures are made here with the encoders themselves.

mod pdfs;
mod photos;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::*;

/// Sanitizes `bytes` (an upload of type `detected`) into a temp folder and
/// returns what was kept and its bytes, or the refusal.
fn run(detected: FileKind, bytes: &[u8]) -> Result<(Kept, Vec<u8>), Refused> {
    run_with(SanitizeLimits::default(), detected, bytes)
}

fn run_with(
    limits: SanitizeLimits,
    detected: FileKind,
    bytes: &[u8],
) -> Result<(Kept, Vec<u8>), Refused> {
    let tmp = tempfile::tempdir().unwrap();
    let (raw, out) = (tmp.path().join("raw"), tmp.path().join("kept"));
    fs::write(&raw, bytes).unwrap();
    match Sanitizer::new(limits).sanitize(detected, &raw, &out) {
        Ok(kept) => Ok((kept, fs::read(&out).unwrap())),
        Err(SanitizeError::Refused(why)) => {
            assert!(!out.exists(), "nothing is left behind a refusal");
            Err(why)
        }
        Err(SanitizeError::Io(e)) => panic!("I/O error: {e}"),
    }
}

fn small_jpeg() -> Vec<u8> {
    photos::jpeg(&photos::Picture::halves(40, 30), &[])
}

#[test]
fn a_kept_pdf_is_the_upload_itself_private_and_never_replaces_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (raw, out) = (tmp.path().join("raw"), tmp.path().join("kept"));
    fs::write(&raw, pdfs::clean()).unwrap();
    fs::set_permissions(&raw, fs::Permissions::from_mode(0o644)).unwrap();
    let sanitizer = Sanitizer::new(SanitizeLimits::default());
    let kept = sanitizer.sanitize(FileKind::Pdf, &raw, &out).unwrap();
    let bytes = fs::read(&out).unwrap();
    assert_eq!(bytes, pdfs::clean());
    assert_eq!(kept.sha256, format!("{:x}", Sha256::digest(&bytes)));
    let mode = fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    fs::remove_file(&out).unwrap();
    fs::write(&out, b"earlier").unwrap();
    let err = sanitizer.sanitize(FileKind::Pdf, &raw, &out).unwrap_err();
    assert!(matches!(err, SanitizeError::Io(e) if e.kind() == io::ErrorKind::AlreadyExists));
    assert_eq!(fs::read(&out).unwrap(), b"earlier");
}

#[test]
fn kept_file_is_new_private_and_hashed() {
    let tmp = tempfile::tempdir().unwrap();
    let (raw, out) = (tmp.path().join("raw"), tmp.path().join("kept"));
    fs::write(&raw, small_jpeg()).unwrap();
    let sanitizer = Sanitizer::new(SanitizeLimits::default());
    let kept = sanitizer.sanitize(FileKind::Jpeg, &raw, &out).unwrap();
    let bytes = fs::read(&out).unwrap();
    assert_eq!(kept.size, bytes.len() as u64);
    assert_eq!(kept.sha256, format!("{:x}", Sha256::digest(&bytes)));
    assert_eq!(kept.dimensions, Some((40, 30)));
    let mode = fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // An existing file is never replaced.
    fs::write(&out, b"earlier").unwrap();
    let err = sanitizer.sanitize(FileKind::Jpeg, &raw, &out).unwrap_err();
    assert!(matches!(err, SanitizeError::Io(e) if e.kind() == io::ErrorKind::AlreadyExists));
    assert_eq!(fs::read(&out).unwrap(), b"earlier");
}

#[test]
fn photos_are_kept_as_jpeg_and_pdfs_as_pdf() {
    assert_eq!(Sanitizer::kept_type(FileKind::Png), FileKind::Jpeg);
    assert_eq!(Sanitizer::kept_type(FileKind::Jpeg), FileKind::Jpeg);
    assert_eq!(Sanitizer::kept_type(FileKind::Pdf), FileKind::Pdf);
}

#[test]
fn oversized_input_is_refused_unread() {
    let limits = SanitizeLimits {
        max_input_bytes: 1024 * 1024,
        ..SanitizeLimits::default()
    };
    let big = vec![0; 1024 * 1024 + 1];
    assert_eq!(
        run_with(limits, FileKind::Pdf, &big).unwrap_err(),
        Refused::FileTooBig { limit_mb: 1 }
    );
}

#[test]
fn callers_wait_for_a_free_slot() {
    let sanitizer = Arc::new(Sanitizer::new(SanitizeLimits {
        concurrency: 1,
        ..SanitizeLimits::default()
    }));
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    fs::write(&raw, small_jpeg()).unwrap();
    let slot = sanitizer.wait_for_slot();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let worker = {
        let sanitizer = Arc::clone(&sanitizer);
        let out = tmp.path().join("kept");
        std::thread::spawn(move || {
            let result = sanitizer.sanitize(FileKind::Jpeg, &raw, &out);
            done_tx.send(result.is_ok()).unwrap();
        })
    };
    assert!(
        done_rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "the second caller waits while the only slot is taken"
    );
    drop(slot);
    assert_eq!(done_rx.recv_timeout(Duration::from_secs(30)), Ok(true));
    worker.join().unwrap();
}

#[test]
fn messages_are_indonesian_and_say_what_to_do() {
    let all = [
        Refused::FileTooBig { limit_mb: 32 },
        Refused::NotAnImage,
        Refused::ImplausibleImage {
            width: 8160,
            height: 6120,
        },
        Refused::TooManyPixels {
            width: 30000,
            height: 30000,
        },
        Refused::BrokenPdf,
        Refused::LockedPdf,
        Refused::UncheckablePdf,
        Refused::ActivePdf { what: "JavaScript" },
    ];
    for refused in all {
        let message = refused.message();
        assert!(message.ends_with("unggah lagi."), "{message}");
        // The log text never is the citizen's text.
        assert!(!refused.to_string().contains("unggah"));
    }
    assert!(
        Refused::ActivePdf { what: "JavaScript" }
            .message()
            .starts_with("Dokumen PDF ini berisi skrip, tindakan otomatis, atau berkas tersemat")
    );
}

thread_local! {
    static PANICKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Random mutations of valid files never panic, not even inside the
/// decoders' `catch_unwind`: each is kept or refused. Mutations per seed:
/// `LOKET_SANITIZE_MUTATIONS` (default 150).
#[test]
fn mutated_uploads_never_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICKED.set(true);
        previous(info);
    }));
    let rounds: usize = std::env::var("LOKET_SANITIZE_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    let seeds = [
        (FileKind::Jpeg, small_jpeg()),
        (FileKind::Jpeg, photos::progressive_with_exif()),
        (FileKind::Png, photos::png_rgba(24, 16)),
        (FileKind::Png, fixture("interlaced.png")),
        (FileKind::Pdf, pdfs::clean()),
        (FileKind::Pdf, fixture("chromium.pdf")),
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (kind, seed) in &seeds {
        for _ in 0..rounds {
            let mut bytes = seed.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() as usize) % bytes.len();
                match next() % 4 {
                    0 => bytes[at] = next() as u8,
                    1 => bytes.truncate(at.max(8)),
                    2 => bytes.insert(at, next() as u8),
                    _ => bytes[at] ^= 1 << (next() % 8),
                }
            }
            let _ = run(*kind, &bytes);
            assert!(!PANICKED.get(), "{kind:?} panicked on {bytes:02x?}");
        }
    }
}

fn assert_no_bytes(haystack: &[u8], needle: &[u8], what: &str) {
    assert!(
        !haystack.windows(needle.len()).any(|w| w == needle),
        "{what} survived"
    );
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/uploads")
        .join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
