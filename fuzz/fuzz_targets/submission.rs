//! Reading and validating a submission: the multipart body (any bytes, cut
//! into chunks anywhere) through the server's own reader and validation must
//! never panic, and must leave no draft behind.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use loket::forms::registry::Forms;
use loket::server::intake::{IntakeLimits, read_multipart, read_urlencoded};
use loket::cases::store::Store;
use loket::forms::validate::validate;

struct World {
    runtime: tokio::runtime::Runtime,
    store: Store,
    _dir: tempfile::TempDir,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        // A folder the store makes itself, so it is private whatever the
        // umask the temp dir was made under.
        let store = Store::open(&dir.path().join("data")).expect("store");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        World {
            runtime,
            store,
            _dir: dir,
        }
    })
}

const BOUNDARY: &str = "fuzzboundary";

fuzz_target!(|data: &[u8]| {
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    // The shipped form files, as a site without its own forms/ has them.
    let id = if control & 1 == 0 {
        "permohonan"
    } else {
        "pengaduan-layanan"
    };
    let Some(form) = Forms::builtin().get(id) else {
        return;
    };
    // Deliver the body in chunks of a size the input picks, as a network would.
    let chunk = usize::from(control >> 2).max(1);
    let chunks: Vec<Result<Bytes, std::io::Error>> = body
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let stream = futures_util::stream::iter(chunks);
    let limits = IntakeLimits {
        max_file_bytes: 64 * 1024,
        max_text_bytes: 16 * 1024,
        idle: Duration::from_secs(5),
        total: Duration::from_secs(5),
    };
    let w = world();
    let input = w.runtime.block_on(async {
        let mut input = if control & 2 == 0 {
            read_multipart(&w.store, &limits, (form, &[]), stream, BOUNDARY.to_string()).await
        } else {
            read_urlencoded(&w.store, &limits, form, stream).await
        };
        // The server decodes uploads once the text is valid; here always,
        // so the sanitizer (photos, PDFs) is fuzzed too.
        if let Ok(input) = &mut input
            && let Ok(checks) = input.draft.check_uploads().await
        {
            input.files.extend(checks);
        }
        input
    });
    if let Ok(input) = input {
        let _ = validate(form, &input.text, &input.files, limits.max_file_bytes);
    }
});
