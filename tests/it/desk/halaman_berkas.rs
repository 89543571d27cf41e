//! Berkas situs (issue 30): an editor uploads photos and PDFs into the
//! site's static/ on the desk. A photo is re-encoded without its EXIF (GPS)
//! and served by the public listener; a PDF with a script, a type that is
//! neither, a file too large and a folder outside static/ are refused and
//! nothing is written; the desk serves static/ files to the editor only.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use reqwest::StatusCode;

use super::roles::add_with;
use super::{DeskClient, Page, audited};
use crate::common::form::Multipart;
use crate::common::server::Server;
use crate::common::submit::client;

const FILES: &str = "/halaman/berkas/";

/// Latitude 7° 33' 12.34" S, as a phone writes it.
const LATITUDE: [u32; 6] = [7, 1, 33, 1, 1234, 100];

fn latitude_bytes() -> Vec<u8> {
    LATITUDE.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A little-endian EXIF block with a GPS IFD holding a latitude.
fn gps_exif() -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    // IFD0 at 8: one entry (the GPS IFD's offset), then no next IFD.
    t.extend(1u16.to_le_bytes());
    let gps_ifd = 8 + 2 + 12 + 4;
    t.extend([0x25, 0x88, 4, 0].iter().chain(&1u32.to_le_bytes()));
    t.extend((gps_ifd as u32).to_le_bytes());
    t.extend(0u32.to_le_bytes());
    // GPS IFD: latitude reference "S" and latitude (three rationals).
    let rationals = gps_ifd + 2 + 2 * 12 + 4;
    t.extend(2u16.to_le_bytes());
    t.extend(
        [1, 0, 2, 0]
            .iter()
            .chain(&2u32.to_le_bytes())
            .chain(b"S\0\0\0"),
    );
    t.extend([2, 0, 5, 0].iter().chain(&3u32.to_le_bytes()));
    t.extend((rationals as u32).to_le_bytes());
    t.extend(0u32.to_le_bytes());
    t.extend(LATITUDE.iter().flat_map(|v| v.to_le_bytes()));
    t
}

/// A 64 × 48 photo with GPS EXIF, as a phone sends one.
fn photo_with_gps() -> Vec<u8> {
    let (w, h) = (64u16, 48u16);
    let rgb: Vec<u8> = (0..usize::from(w) * usize::from(h))
        .flat_map(|i| [(i % 251) as u8, 120, 200])
        .collect();
    let mut bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 90);
    encoder.add_exif_metadata(&gps_exif()).unwrap();
    encoder
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    bytes
}

/// Whether `needle` is somewhere in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A PDF of `objects`, with its cross-reference table and trailer.
fn pdf(objects: &[&str]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// The server with an editor, `sari`, signed in; the site folder and its
/// static/ group editable (2775) as the deploy kit makes them.
async fn editor() -> (Server, DeskClient) {
    let server = Server::start_at("2026-12-02 09:00:00");
    let root = server.site().root();
    for dir in [root.to_path_buf(), root.join("static")] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o2775)).unwrap();
    }
    add_with(
        &server,
        "sari",
        &["--role", "penyunting", "--full-name", "Sari Wulandari"],
    );
    let desk = DeskClient::signed_in(&server, "sari").await;
    (server, desk)
}

/// Posts the upload form: `fields` and the file.
async fn upload(
    desk: &mut DeskClient,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> Page {
    let csrf = desk.get(FILES).await.csrf();
    let mut form = Multipart::new().text("csrf", &csrf);
    for (name, value) in fields {
        form = form.text(name, value);
    }
    let form = form.file("berkas", file_name, "application/octet-stream", bytes);
    desk.post_multipart(FILES, form).await
}

/// The public site's answer to `path`.
async fn public(server: &Server, path: &str) -> (StatusCode, Vec<u8>) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Every file under the site's static/, relative to it.
fn static_files(root: &Path) -> Vec<String> {
    let dir = root.join("static");
    let mut found: Vec<String> = walk(&dir)
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flat_map(|e| {
            let path = e.unwrap().path();
            match path.is_dir() {
                true => walk(&path),
                false => vec![path],
            }
        })
        .collect()
}

#[tokio::test]
async fn an_uploaded_photo_is_served_publicly_without_its_gps() {
    let (server, mut desk) = editor().await;
    let list = desk.get(FILES).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    // The site's own files are listed, and served to the editor's preview.
    assert!(
        list.body.contains("static/css/site.css</a>"),
        "{}",
        list.body
    );
    assert!(list.body.contains("Gaya tampilan (CSS)"));
    let css = desk.get("/halaman/berkas/static/css/site.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert_eq!(
        css.bytes,
        fs::read(server.site().root().join("static/css/site.css")).unwrap()
    );
    let upload_photo = photo_with_gps();
    assert!(contains(&upload_photo, b"Exif\0\0"), "the fixture has EXIF");
    assert!(contains(&upload_photo, &latitude_bytes()));

    let done = upload(
        &mut desk,
        &[("folder", "gambar/"), ("nama", "Foto Kantor")],
        "IMG_0001.JPG",
        &upload_photo,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.header("location").to_string();
    assert!(
        location.contains("static%2Fgambar%2Ffoto-kantor.jpg"),
        "{location}"
    );

    // The public listener serves it, re-encoded, without EXIF or GPS.
    let (status, served) = public(&server, "/gambar/foto-kantor.jpg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(served.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(!contains(&served, b"Exif"), "EXIF survived");
    assert!(
        !contains(&served, &latitude_bytes()),
        "the GPS latitude survived"
    );
    let mut decoder = jpeg_decoder::Decoder::new(&served[..]);
    decoder.decode().expect("a JPEG that decodes");
    let info = decoder.info().unwrap();
    assert_eq!((info.width, info.height), (64, 48));

    // Written with the folder's group-editable mode (the new folder too).
    let folder = server.site().root().join("static/gambar");
    let mode = fs::metadata(&folder).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o2775, "{mode:o}");
    let on_disk = server.site().root().join("static/gambar/foto-kantor.jpg");
    assert_eq!(fs::read(&on_disk).unwrap(), served);
    let mode = fs::metadata(&on_disk).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o664, "{mode:o}");

    // The page says so, with the public address and a thumbnail.
    let page = desk.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("sudah tayang di situs"), "{}", page.body);
    assert!(page.body.contains("/gambar/foto-kantor.jpg</a>"));
    assert!(
        page.body
            .contains("<img src=\"/halaman/berkas/static/gambar/foto-kantor.jpg\"")
    );
    assert!(page.body.contains("<option value=\"static/gambar/\">"));

    // The audit log names it and who.
    let lines = audited(&server.data, "file-uploaded");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0][1], "sari");
    assert!(
        lines[0]
            .iter()
            .any(|f| f == "static/gambar/foto-kantor.jpg"),
        "{lines:?}"
    );

    // The desk serves it to the editor, typed and not to be sniffed.
    let file = desk
        .get("/halaman/berkas/static/gambar/foto-kantor.jpg")
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), "image/jpeg");
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    assert!(
        file.header("content-security-policy")
            .starts_with("sandbox")
    );
    assert_eq!(file.bytes, served);

    // The same name again: not replaced unless asked.
    let other = crate::common::form::jpeg(4096, 7);
    let taken = upload(
        &mut desk,
        &[("folder", "gambar"), ("nama", "foto-kantor")],
        "a.jpg",
        &other,
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert!(taken.body.contains("sudah ada"));
    assert_eq!(fs::read(&on_disk).unwrap(), served);
    let replaced = upload(
        &mut desk,
        &[
            ("folder", "static/gambar/"),
            ("nama", "foto-kantor"),
            ("ganti", "ya"),
        ],
        "a.jpg",
        &other,
    )
    .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.body);
    let (_, now_served) = public(&server, "/gambar/foto-kantor.jpg").await;
    assert_ne!(now_served, served);
    let page = desk.get(replaced.header("location")).await;
    assert!(
        page.body.contains("menggantikan berkas lama"),
        "{}",
        page.body
    );
    let lines = audited(&server.data, "file-uploaded");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].last().unwrap().contains("mengganti berkas lama"),
        "{lines:?}"
    );

    // A petugas may not see it through the desk.
    add_with(&server, "rina", &["--role", "petugas"]);
    let mut petugas = DeskClient::signed_in(&server, "rina").await;
    let refused = petugas
        .get("/halaman/berkas/static/gambar/foto-kantor.jpg")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(petugas.get(FILES).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn what_is_not_a_clean_photo_or_pdf_is_refused_and_nothing_is_written() {
    let (server, mut desk) = editor().await;
    let root = server.site().root().to_path_buf();
    let before = static_files(&root);

    // A PDF that runs a script when opened; one packed by a real writer.
    let scripted = pdf(&[
        "<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
        "<< /Type /Pages /Kids [] /Count 0 >>",
    ]);
    let packed = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/uploads/javascript-in-object-stream.pdf"),
    )
    .unwrap();
    for (name, bytes) in [("skrip.pdf", &scripted), ("padat.pdf", &packed)] {
        let refused = upload(&mut desk, &[("folder", "dokumen")], name, bytes).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            refused.body.contains("berisi skrip, tindakan otomatis"),
            "{}",
            refused.body
        );
    }

    // Neither a photo nor a PDF, whatever the name says.
    let program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".repeat(20);
    let html = b"<!doctype html><script>alert(1)</script>".to_vec();
    let webp = b"RIFF\x24\x00\x00\x00WEBPVP8 ".to_vec();
    for (name, bytes) in [
        ("setup.exe", &program),
        ("a.html", &html),
        ("foto.jpg", &html),
        ("b.webp", &webp),
    ] {
        let refused = upload(&mut desk, &[("folder", "gambar")], name, bytes).await;
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}");
        assert!(
            refused
                .body
                .contains("Hanya foto JPG atau PNG dan dokumen PDF")
        );
    }

    // Over 10 MB for a photo.
    let mut big = vec![0xFF, 0xD8, 0xFF, 0xE0];
    big.resize(10 * 1024 * 1024 + 1, 0);
    let refused = upload(&mut desk, &[("folder", "gambar")], "besar.jpg", &big).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        refused.body.contains("foto paling besar 10 MB"),
        "{}",
        refused.body
    );

    // A text part over its limit: multer's limit, not the file's.
    let long = "a".repeat(5000);
    let refused = upload(&mut desk, &[("nama", &long)], "x.jpg", &photo_with_gps()).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        refused.body.contains("Berkas terlalu besar"),
        "{}",
        refused.body
    );

    // Folders outside static/.
    let photo = photo_with_gps();
    for folder in [
        "../content",
        "gambar/../../templates",
        "/etc",
        ".git",
        "static/../..",
    ] {
        let refused = upload(
            &mut desk,
            &[("folder", folder), ("nama", "x")],
            "x.jpg",
            &photo,
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{folder}");
        assert!(
            refused.body.contains("tidak dapat dipakai"),
            "{}",
            refused.body
        );
    }
    // A name with a path in it keeps only its last part.
    let named = upload(&mut desk, &[("nama", "../../site")], "x.jpg", &photo).await;
    assert_eq!(named.status, StatusCode::SEE_OTHER, "{}", named.body);

    // Not a file form, or a forged one.
    let form = desk
        .post(FILES, &[("csrf", "x"), ("folder", "gambar")])
        .await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST);
    let forged = desk
        .post_multipart(
            FILES,
            Multipart::new()
                .text("csrf", "palsu")
                .file("berkas", "a.jpg", "image/jpeg", &photo),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // A clean PDF is kept byte for byte.
    let clean =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/uploads/chromium.pdf"))
            .unwrap();
    let kept = upload(
        &mut desk,
        &[("folder", "dokumen/")],
        "Maklumat Pelayanan.pdf",
        &clean,
    )
    .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    assert_eq!(
        public(&server, "/dokumen/maklumat-pelayanan.pdf").await.1,
        clean
    );

    // A PNG is kept as a JPEG (re-encoded like a citizen's).
    let png = crate::common::form::png(3);
    let kept = upload(&mut desk, &[("folder", "gambar")], "Logo.png", &png).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    let (status, served) = public(&server, "/gambar/logo.jpg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(served.starts_with(&[0xFF, 0xD8, 0xFF]));

    // Only the accepted files were written, and only they audited.
    let mut expected = before.clone();
    expected.extend([
        "dokumen/maklumat-pelayanan.pdf".into(),
        "gambar/logo.jpg".into(),
        "site.jpg".into(),
    ]);
    expected.sort();
    assert_eq!(static_files(&root), expected);
    assert!(!root.join("site.jpg").exists() && !root.join("content/x.jpg").exists());
    let lines = audited(&server.data, "file-uploaded");
    assert_eq!(lines.len(), 3, "{lines:?}");

    // The desk serves only plain files of static/.
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("rahasia.txt"), "rahasia").unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("static/luar")).unwrap();
    fs::write(root.join("static/.tersembunyi"), "x").unwrap();
    for path in [
        "static/luar/rahasia.txt",
        "static/.tersembunyi",
        "static/tidak-ada.jpg",
        "static/%2E%2E/site.yaml",
        "static/dokumen",
    ] {
        let page = desk.get(&format!("{FILES}{path}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("rahasia"), "{path}");
    }
    let pdf_page = desk
        .get("/halaman/berkas/static/dokumen/maklumat-pelayanan.pdf")
        .await;
    assert_eq!(pdf_page.header("content-type"), "application/pdf");
}

#[tokio::test]
async fn an_upload_the_site_cannot_be_built_with_is_taken_back() {
    let (server, mut desk) = editor().await;
    let root = server.site().root().to_path_buf();
    let photo = photo_with_gps();
    let first = upload(
        &mut desk,
        &[("folder", "gambar"), ("nama", "kantor")],
        "a.jpg",
        &photo,
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let kept = fs::read(root.join("static/gambar/kantor.jpg")).unwrap();

    // A page broken by hand on the server: the next build fails.
    fs::write(root.join("content/rusak.md"), "---\ntitle: [\n---\nIsi.\n").unwrap();
    let other = crate::common::form::jpeg(4096, 9);
    for (name, replace) in [("baru", ""), ("kantor", "ya")] {
        let failed = upload(
            &mut desk,
            &[("folder", "gambar"), ("nama", name), ("ganti", replace)],
            "b.jpg",
            &other,
        )
        .await;
        assert_eq!(
            failed.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{name}: {}",
            failed.body
        );
        assert!(
            failed.body.contains("tidak ada yang berubah di situs"),
            "{}",
            failed.body
        );
    }
    assert!(!root.join("static/gambar/baru.jpg").exists());
    assert_eq!(
        fs::read(root.join("static/gambar/kantor.jpg")).unwrap(),
        kept
    );
    assert_eq!(public(&server, "/gambar/kantor.jpg").await.1, kept);
    assert_eq!(
        public(&server, "/gambar/baru.jpg").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(audited(&server.data, "file-uploaded").len(), 1);
}
