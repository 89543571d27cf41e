//! Photos: metadata gone, upright, shrunk, hostile ones refused.

use std::time::Instant;

use super::*;

/// An RGB picture to encode as a fixture.
pub(super) struct Picture {
    width: u16,
    height: u16,
    rgb: Vec<u8>,
}

const RED: [u8; 3] = [230, 20, 20];
const BLUE: [u8; 3] = [20, 20, 230];
const GREY: [u8; 3] = [128, 128, 128];

impl Picture {
    fn filled(width: u16, height: u16, pick: impl Fn(usize, usize) -> [u8; 3]) -> Picture {
        let (w, h) = (usize::from(width), usize::from(height));
        let rgb = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .flat_map(|(x, y)| pick(x, y))
            .collect();
        Picture { width, height, rgb }
    }

    /// Red on the left, blue on the right.
    pub(super) fn halves(width: u16, height: u16) -> Picture {
        let half = usize::from(width) / 2;
        Picture::filled(width, height, |x, _| if x < half { RED } else { BLUE })
    }
}

/// The picture as a JPEG, with `exif` (a TIFF block) if not empty.
pub(super) fn jpeg(picture: &Picture, exif: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 95);
    if !exif.is_empty() {
        encoder.add_exif_metadata(exif).unwrap();
    }
    let (w, h) = (picture.width, picture.height);
    encoder
        .encode(&picture.rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    bytes
}

/// A fully transparent RGBA PNG, with an HTML text chunk.
pub(super) fn png_rgba(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder
        .add_text_chunk("Comment".into(), "<script>alert(1)</script>".into())
        .unwrap();
    let mut writer = encoder.write_header().unwrap();
    let pixels = [0, 0, 0, 0].repeat((width * height) as usize);
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    bytes
}

/// A progressive JPEG with EXIF (orientation and GPS).
pub(super) fn progressive_with_exif() -> Vec<u8> {
    let picture = Picture::halves(24, 16);
    let mut bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 90);
    encoder.set_progressive(true);
    encoder.add_exif_metadata(&exif(6)).unwrap();
    encoder
        .encode(&picture.rgb, 24, 16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    bytes
}

/// Width, height, components and pixels of a kept JPEG.
fn decode(jpeg: &[u8]) -> (usize, usize, usize, Vec<u8>) {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder.decode().unwrap();
    let info = decoder.info().unwrap();
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    (w, h, pixels.len() / (w * h), pixels)
}

/// The RGB of pixel (x, y) of a decoded JPEG.
fn pixel(decoded: &(usize, usize, usize, Vec<u8>), x: usize, y: usize) -> [u8; 3] {
    let (w, _, ch, pixels) = decoded;
    let at = (y * w + x) * ch;
    if *ch == 1 {
        [pixels[at]; 3]
    } else {
        [pixels[at], pixels[at + 1], pixels[at + 2]]
    }
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(&a, b)| a.abs_diff(b) <= 24)
}

/// The markers of a JPEG's segments before its image data.
fn markers(jpeg: &[u8]) -> Vec<u8> {
    let mut found = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        found.push(marker);
        if marker == 0xDA {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    found
}

/// Latitude 7° 33' 12.34" S, as a phone writes it.
const LATITUDE: [u32; 6] = [7, 1, 33, 1, 1234, 100];

/// A little-endian EXIF block: orientation `orientation`, and a GPS IFD
/// with a latitude.
fn exif(orientation: u16) -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    // IFD0 at 8: two entries, then no next IFD.
    t.extend(2u16.to_le_bytes());
    let gps_ifd = 8 + 2 + 2 * 12 + 4;
    t.extend([0x12, 0x01, 3, 0].iter().chain(&1u32.to_le_bytes()));
    t.extend(orientation.to_le_bytes().iter().chain(&[0, 0]));
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

fn latitude_bytes() -> Vec<u8> {
    LATITUDE.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[test]
fn gps_is_dropped_and_orientation_applied() {
    // 40 × 20, stored sideways: red in the stored top-left corner.
    let picture = Picture::filled(40, 20, |x, y| if x < 10 && y < 10 { RED } else { GREY });
    let upload = jpeg(&picture, &exif(6));
    assert!(markers(&upload).contains(&0xE1), "the fixture has EXIF");
    let (kept, bytes) = run(FileKind::Jpeg, &upload).unwrap();

    assert!(!markers(&bytes).contains(&0xE1), "no APP1 segment");
    assert_no_bytes(&bytes, b"Exif", "the EXIF header");
    assert_no_bytes(&bytes, &latitude_bytes(), "the GPS latitude");
    // Orientation 6: turned a quarter clockwise, so the stored top-left
    // corner shows at the top right.
    assert_eq!(kept.dimensions, Some((20, 40)));
    let decoded = decode(&bytes);
    assert_eq!((decoded.0, decoded.1), (20, 40));
    assert!(close(pixel(&decoded, 15, 4), RED));
    assert!(close(pixel(&decoded, 4, 4), GREY));
    assert!(close(pixel(&decoded, 15, 35), GREY));
}

#[test]
fn jpeg_header_then_html_is_refused() {
    let mut upload =
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    upload.extend_from_slice(b"<html><body><script>alert(document.cookie)</script></body></html>");
    assert_eq!(FileKind::sniff(&upload), Some(FileKind::Jpeg));
    assert_eq!(
        run(FileKind::Jpeg, &upload).unwrap_err(),
        Refused::NotAnImage
    );
}

#[test]
fn html_inside_or_after_a_real_jpeg_is_dropped() {
    let real = small_jpeg();
    // A comment segment right after SOI, and HTML after the end.
    let script = b"<script>alert(1)</script>";
    let mut upload = real[..2].to_vec();
    upload.extend([0xFF, 0xFE, 0, (script.len() + 2) as u8]);
    upload.extend_from_slice(script);
    upload.extend_from_slice(&real[2..]);
    upload.extend_from_slice(b"<html><body>");
    upload.extend_from_slice(script);
    let (_, bytes) = run(FileKind::Jpeg, &upload).unwrap();
    assert_no_bytes(&bytes, b"<script", "HTML");
    assert_no_bytes(&bytes, b"<html", "HTML");
}

#[test]
fn png_bomb_is_refused_from_its_header() {
    // 30000 × 30000 declared (2.7 GB as RGB), with a little real data.
    let mut upload = Vec::new();
    let mut encoder = png::Encoder::new(&mut upload, 30_000, 30_000);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    let rows = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0; 1 << 20], 6);
    writer.write_chunk(png::chunk::IDAT, &rows).unwrap();
    drop(writer);
    let started = Instant::now();
    assert_eq!(
        run(FileKind::Png, &upload).unwrap_err(),
        Refused::TooManyPixels {
            width: 30_000,
            height: 30_000
        }
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn jpeg_declaring_too_many_pixels_is_refused_from_its_header() {
    let mut upload = small_jpeg();
    let sof = upload.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    // Height and width follow the length and the precision.
    upload[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    assert_eq!(
        run(FileKind::Jpeg, &upload).unwrap_err(),
        Refused::TooManyPixels {
            width: 60_000,
            height: 60_000
        }
    );
}

#[test]
fn large_photo_is_shrunk_to_the_long_side_limit() {
    let upload = jpeg(&Picture::halves(3000, 1500), &[]);
    let (kept, bytes) = run(FileKind::Jpeg, &upload).unwrap();
    assert_eq!(kept.dimensions, Some((2000, 1000)));
    let decoded = decode(&bytes);
    assert_eq!((decoded.0, decoded.1), (2000, 1000));
    assert!(close(pixel(&decoded, 10, 500), RED));
    assert!(close(pixel(&decoded, 1990, 500), BLUE));

    // Decoded at half scale (600 × 400), then shrunk the rest of the way.
    let limits = SanitizeLimits {
        max_side: 500,
        ..SanitizeLimits::default()
    };
    let upload = jpeg(&Picture::halves(1200, 800), &[]);
    let (kept, _) = run_with(limits, FileKind::Jpeg, &upload).unwrap();
    assert_eq!(kept.dimensions, Some((500, 333)));
}

#[test]
fn progressive_jpeg_within_the_decode_budget() {
    let picture = Picture::halves(400, 300);
    let mut upload = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut upload, 90);
    encoder.set_progressive(true);
    encoder
        .encode(&picture.rgb, 400, 300, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let (kept, _) = run(FileKind::Jpeg, &upload).unwrap();
    assert_eq!(kept.dimensions, Some((400, 300)));
    // All its coefficients are held while decoding: 3 × 400 × 304 × 2.
    let limits = SanitizeLimits {
        max_decode_bytes: 500_000,
        ..SanitizeLimits::default()
    };
    assert!(matches!(
        run_with(limits, FileKind::Jpeg, &upload),
        Err(Refused::TooManyPixels { .. })
    ));
}

#[test]
fn transparent_png_becomes_a_white_jpeg_without_its_text() {
    let (kept, bytes) = run(FileKind::Png, &png_rgba(24, 16)).unwrap();
    assert_eq!(kept.file_type, FileKind::Jpeg);
    assert_eq!(kept.dimensions, Some((24, 16)));
    assert_no_bytes(&bytes, b"<script", "the text chunk");
    let decoded = decode(&bytes);
    assert!(close(pixel(&decoded, 12, 8), [255, 255, 255]));
}

#[test]
fn png_exif_orientation_is_applied() {
    let mut upload = Vec::new();
    let mut encoder = png::Encoder::new(&mut upload, 40, 20);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_chunk(png::chunk::ChunkType(*b"eXIf"), &exif(8))
        .unwrap();
    writer
        .write_image_data(&Picture::halves(40, 20).rgb)
        .unwrap();
    writer.finish().unwrap();
    let (kept, bytes) = run(FileKind::Png, &upload).unwrap();
    assert_eq!(kept.dimensions, Some((20, 40)));
    assert_no_bytes(&bytes, &latitude_bytes(), "the GPS latitude");
    // Orientation 8: a quarter anticlockwise, the left half goes down.
    let decoded = decode(&bytes);
    assert!(close(pixel(&decoded, 10, 35), RED));
    assert!(close(pixel(&decoded, 10, 4), BLUE));
}

#[test]
fn interlaced_png_is_read_whole() {
    let (kept, bytes) = run(FileKind::Png, &fixture("interlaced.png")).unwrap();
    assert_eq!(kept.dimensions, Some((48, 32)));
    let decoded = decode(&bytes);
    assert!(close(pixel(&decoded, 4, 16), [255, 0, 0]));
    assert!(close(pixel(&decoded, 44, 16), [0, 0, 255]));
}

#[test]
fn grey_stays_grey_and_cmyk_becomes_rgb() {
    let grey = [100u8; 32 * 32];
    let mut upload = Vec::new();
    jpeg_encoder::Encoder::new(&mut upload, 90)
        .encode(&grey, 32, 32, jpeg_encoder::ColorType::Luma)
        .unwrap();
    let (_, bytes) = run(FileKind::Jpeg, &upload).unwrap();
    let decoded = decode(&bytes);
    assert_eq!(decoded.2, 1, "one component");
    assert!(close(pixel(&decoded, 5, 5), [100; 3]));

    // Red as printers' ink: no cyan, full magenta and yellow, no black.
    let red_ink = [0u8, 255, 255, 0].repeat(32 * 32);
    let mut upload = Vec::new();
    jpeg_encoder::Encoder::new(&mut upload, 90)
        .encode(&red_ink, 32, 32, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let (_, bytes) = run(FileKind::Jpeg, &upload).unwrap();
    let decoded = decode(&bytes);
    assert_eq!(decoded.2, 3);
    assert!(close(pixel(&decoded, 5, 5), [255, 0, 0]));
}

#[test]
fn a_pdf_or_nothing_is_not_a_photo() {
    assert_eq!(
        run(FileKind::Jpeg, &pdfs::clean()).unwrap_err(),
        Refused::NotAnImage
    );
    assert_eq!(
        run(FileKind::Png, b"\x89PNG\r\n\x1a\n").unwrap_err(),
        Refused::NotAnImage
    );
    // Cut short halfway through the image data.
    let whole = jpeg(&Picture::halves(64, 64), &[]);
    assert_eq!(
        run(FileKind::Jpeg, &whole[..whole.len() / 2]).unwrap_err(),
        Refused::NotAnImage
    );
}

#[test]
fn jpeg_with_too_many_scans_is_refused() {
    let picture = Picture::halves(64, 48);
    let mut upload = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut upload, 90);
    encoder.set_progressive(true);
    encoder
        .encode(&picture.rgb, 64, 48, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    // The last scan again and again: each pass walks every block anew.
    let last_scan = upload.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let end = upload.len() - 2;
    let scan = upload[last_scan..end].to_vec();
    let mut repeated = upload[..end].to_vec();
    for _ in 0..10 {
        repeated.extend_from_slice(&scan);
    }
    repeated.extend_from_slice(&[0xFF, 0xD9]);
    assert!(
        run(FileKind::Jpeg, &repeated).is_ok(),
        "a few repeats decode"
    );
    for _ in 0..100 {
        repeated.splice(end..end, scan.iter().copied());
    }
    assert_eq!(
        run(FileKind::Jpeg, &repeated).unwrap_err(),
        Refused::NotAnImage
    );
}

/// A valid interlaced 1-bit grey PNG of `width` × `height` black pixels:
/// a few kilobytes that take a decoder a pass over every pixel.
pub(super) fn sparse_png(width: u32, height: u32) -> Vec<u8> {
    // Adam7: each pass's first column and row, and its steps.
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
        let cols = width.saturating_sub(x0).div_ceil(dx);
        let rows = height.saturating_sub(y0).div_ceil(dy);
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
    // The interlace method byte of IHDR, and its CRC again.
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

#[test]
fn a_photo_declaring_far_more_pixels_than_its_bytes_hold_is_refused_undecoded() {
    // 50 MP in about 6 KB: what a camera's 50 MP mode declares.
    let upload = sparse_png(8160, 6120);
    assert!(upload.len() < 16 * 1024, "{}", upload.len());
    assert_eq!(
        run(FileKind::Png, &upload).unwrap_err(),
        Refused::ImplausibleImage {
            width: 8160,
            height: 6120
        }
    );
    // The same file is a valid image: with no floor it is decoded.
    let limits = SanitizeLimits {
        min_bytes_per_megapixel: 0,
        ..SanitizeLimits::default()
    };
    let (kept, _) = run_with(limits, FileKind::Png, &upload).unwrap();
    assert_eq!(kept.dimensions, Some((2000, 1500)));
    // A small image of the same kind is fine.
    assert!(run(FileKind::Png, &sparse_png(400, 300)).is_ok());
}
