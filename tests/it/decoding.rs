//! Decoding photos is the costly part of a post, so it is not free (issue
//! 24): a post whose text is wrong does not decode its files (they are
//! held as they came), a photo declaring far more pixels than its bytes
//! can hold is refused from its header, and posts with files are counted
//! per address even when they come back. The real `loket serve`, over
//! real HTTP.

use crate::common::form::*;
use crate::common::server::Server;
use crate::common::submit::*;
use reqwest::StatusCode;

/// What the citizen reads when a photo does not decode.
const UNREADABLE: &str = "Foto ini tidak dapat dibuka";
/// What the citizen reads when a photo declares too many pixels for its
/// size.
const IMPLAUSIBLE: &str = "terlalu kecil untuk foto sebesar itu";

/// Starts like a JPEG, does not decode.
fn broken_jpeg() -> Vec<u8> {
    let mut bytes = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00".to_vec();
    bytes.extend((0..2000).map(|i| (i * 7) as u8));
    bytes
}

/// A valid interlaced 1-bit grey PNG of `width` × `height` black pixels:
/// a few kilobytes that take a decoder a pass over every pixel.
fn sparse_png(width: u32, height: u32) -> Vec<u8> {
    let passes = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in passes {
        let cols = u32::saturating_sub(width, x0).div_ceil(dx);
        let rows = u32::saturating_sub(height, y0).div_ceil(dy);
        if cols > 0 {
            raw.resize(raw.len() + (rows * (1 + cols.div_ceil(8))) as usize, 0);
        }
    }
    let mut upload = Vec::new();
    let mut encoder = png::Encoder::new(&mut upload, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().unwrap();
    let idat = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 10);
    writer.write_chunk(png::chunk::IDAT, &idat).unwrap();
    drop(writer);
    // Interlaced: IHDR's last byte, and its CRC again.
    upload[28] = 1;
    let crc = crc32(&upload[12..29]);
    upload[29..33].copy_from_slice(&crc.to_be_bytes());
    upload
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn held_token(html: &str) -> String {
    let start = html
        .find("name=\"draf\" value=\"")
        .unwrap_or_else(|| panic!("no held-files token in:\n{html}"))
        + "name=\"draf\" value=\"".len();
    html[start..start + 32].to_string()
}

#[tokio::test]
async fn a_png_declaring_50_megapixels_in_6_kb_is_refused_from_its_header() {
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    let png = sparse_png(8160, 6120);
    assert!(png.len() < 16 * 1024, "{}", png.len());
    let form = permohonan_text(&[]).file("ktp", "ktp.png", "image/png", &png);
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    // Not the message of a decoded image, nor of one too large in itself.
    assert!(html.contains(IMPLAUSIBLE), "{html}");
    assert!(html.contains("8160 × 6120"), "{html}");
    assert!(!html.contains(UNREADABLE));
    assert!(yaml_records(&server.data).is_empty());
}

#[tokio::test]
async fn a_post_with_a_wrong_nik_does_not_decode_its_photo() {
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    // Round 1: the NIK is wrong, the photo does not decode. Only the NIK
    // is reported: the photo was never decoded, and is held as it came.
    let form = permohonan_text(&[("nik", Some("12345"))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &broken_jpeg(),
    );
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("NIK tidak sesuai"), "{html}");
    assert!(!html.contains(UNREADABLE), "decoded: {html}");
    assert!(html.contains("ktp.jpg (2 KB) sudah terunggah"), "{html}");
    let token = held_token(&html);
    // Round 2: the text is right, the held photo is decoded now, and
    // refused.
    let form = permohonan_text(&[]).text("draf", &token);
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains(UNREADABLE), "{html}");
    assert!(!html.contains("NIK tidak sesuai"));
    // Round 3: a good photo instead, and the submission is stored.
    let form = valid_permohonan().text("draf", &token);
    ticket_from(post_multipart(&client, &url, form).await).await;
    assert_eq!(yaml_records(&server.data).len(), 1);
}

#[tokio::test]
async fn posts_with_files_sent_back_are_counted_per_address() {
    // One submission per window: three posts with files.
    let server = Server::start_with(&["--rate-limit", "1"]);
    let client = client();
    let url = server.url(PERMOHONAN);
    let wrong = |n: u32| {
        permohonan_text(&[("nik", Some("12345"))]).file(
            "ktp",
            "ktp.jpg",
            "image/jpeg",
            &jpeg(2048, n),
        )
    };
    for n in 0..3 {
        let response = post_multipart(&client, &url, wrong(n)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{n}");
    }
    let response = post_multipart(&client, &url, wrong(3)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let html = response.text().await.unwrap();
    assert!(html.contains("Terlalu banyak unggahan"), "{html}");
    assert!(html.contains("lang=\"id\""));
    // A post without files is not counted: it still comes back to be fixed.
    let response = post_multipart(&client, &url, permohonan_text(&[("nik", Some("12345"))])).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
