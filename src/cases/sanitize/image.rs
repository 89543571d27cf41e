//! Photos: decoded, turned upright, shrunk and encoded anew as JPEG.
//!
//! Only decoded pixels reach the encoder, so nothing of the upload's bytes
//! survives: no EXIF (GPS location, phone model), no comments, no colour
//! profile, nothing after the image's end. Colour profiles are dropped, not
//! applied: a photo in Display P3 comes out slightly duller, which does not
//! matter for reading a KTP.
//!
//! Memory stays small for large photos: a JPEG is decoded at the smallest
//! DCT scale (1/2, 1/4 or 1/8) that still gives at least
//! [`SanitizeLimits::max_side`], so a 50 MP photo is decoded into 9 MB of
//! pixels instead of 150 MB, and a PNG is decoded row by row into the
//! shrinking filter. Only progressive JPEGs and interlaced PNGs are held
//! whole while decoding; their estimated need is checked against
//! [`SanitizeLimits::max_decode_bytes`] first. A JPEG with more than
//! [`MAX_SCANS`] scans is refused, since each scan costs a pass over the
//! whole image.
//!
//! A PNG (a screenshot or a scan) becomes a JPEG too: a screenshot of a
//! photo weighs megabytes as PNG, text stays legible at quality 85, and
//! staff get one kind of file. Transparent parts become white.
//!
//! jpeg-decoder is in maintenance mode (image-rs moved to zune-jpeg, which
//! cannot decode at reduced scale and so needs 150 MB for a 50 MP photo);
//! it still gets fixes. The decoders are fuzzed upstream but have had
//! panics on hostile input (jpeg-decoder fixed one in 2025), so they run
//! under `catch_unwind`; a panic refuses the upload as unreadable.

use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use jpeg_decoder::{CodingProcess, PixelFormat};

use super::{Refused, SanitizeLimits};
use crate::forms::validate::FileKind;

/// A photo ready to keep.
pub(super) struct Photo {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Pixels: rows of `width` pixels, each 1 (grey) or 3 (RGB) bytes.
struct Pixels {
    width: usize,
    height: usize,
    channels: usize,
    data: Vec<u8>,
}

/// Decodes a JPEG or PNG upload and encodes what it shows as a new JPEG.
pub(super) fn reencode(
    kind: FileKind,
    file: File,
    limits: &SanitizeLimits,
) -> Result<Photo, Refused> {
    let bytes = file.metadata().map_err(|_| Refused::NotAnImage)?.len();
    let mut reader = BufReader::new(file);
    let work = AssertUnwindSafe(|| {
        let (pixels, orientation) = match kind {
            FileKind::Png => decode_png(reader, bytes, limits)?,
            _ => {
                let mut bytes = Vec::new();
                reader
                    .read_to_end(&mut bytes)
                    .map_err(|_| Refused::NotAnImage)?;
                decode_jpeg(&bytes, limits)?
            }
        };
        encode(&orient(pixels, orientation), limits.jpeg_quality)
    });
    catch_unwind(work).unwrap_or(Err(Refused::NotAnImage))
}

/// Refuses a photo whose header declares more than the limit allows, or
/// more than its `bytes` can plausibly hold
/// ([`SanitizeLimits::min_bytes_per_megapixel`]).
fn check_pixels(
    width: u32,
    height: u32,
    bytes: u64,
    limits: &SanitizeLimits,
) -> Result<(), Refused> {
    if width == 0 || height == 0 {
        return Err(Refused::NotAnImage);
    }
    // JPEG cannot be wider than 65535 pixels; neither may a PNG, which
    // bounds the length of one row.
    let too_long = width.max(height) > u32::from(u16::MAX);
    if too_long || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Refused::TooManyPixels { width, height });
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels.saturating_mul(limits.min_bytes_per_megapixel) > bytes.saturating_mul(1_000_000) {
        return Err(Refused::ImplausibleImage { width, height });
    }
    Ok(())
}

/// The size of a `width` × `height` image shrunk so its long side is at
/// most `max_side` (the same size if it is already small enough).
fn fit(width: usize, height: usize, max_side: usize) -> (usize, usize) {
    let long = width.max(height);
    if long <= max_side {
        return (width, height);
    }
    let scale = |side: usize| ((side * max_side + long / 2) / long).max(1);
    (scale(width), scale(height))
}

/// Most scans a JPEG may have. Each scan of a progressive JPEG walks every
/// block of the image again, so a few kilobytes of empty scans could cost
/// minutes; encoders write at most about 20 (libjpeg's default script 10).
const MAX_SCANS: usize = 100;

fn decode_jpeg(bytes: &[u8], limits: &SanitizeLimits) -> Result<(Pixels, u16), Refused> {
    let not_image = |_| Refused::NotAnImage;
    // Every scan starts with the bytes FF DA, which entropy-coded data
    // never holds (an EXIF thumbnail's scans count too, harmlessly).
    if bytes.windows(2).filter(|w| w == &[0xFF, 0xDA]).count() > MAX_SCANS {
        return Err(Refused::NotAnImage);
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(not_image)?;
    let info = decoder.info().ok_or(Refused::NotAnImage)?;
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    check_pixels(
        info.width.into(),
        info.height.into(),
        bytes.len() as u64,
        limits,
    )?;
    let components = match info.pixel_format {
        PixelFormat::L8 => 1,
        PixelFormat::RGB24 => 3,
        PixelFormat::CMYK32 => 4,
        // 16-bit lossless JPEG: medical imaging, not phone photos.
        PixelFormat::L16 => return Err(Refused::NotAnImage),
    };
    let max_side = limits.max_side.min(u16::MAX.into()) as usize;
    let (want_w, want_h) = fit(width, height, max_side);
    let (w, h) = decoder
        .scale(want_w as u16, want_h as u16)
        .map_err(not_image)?;
    let (w, h) = (usize::from(w), usize::from(h));
    // The planes and the interleaved output, and for a progressive JPEG
    // every DCT coefficient at full size (2 bytes each, all components
    // assumed unsubsampled).
    let mut need = (components * w * h * 2) as u64;
    if info.coding_process == CodingProcess::DctProgressive {
        need += (components * width.next_multiple_of(8) * height.next_multiple_of(8) * 2) as u64;
    }
    if need > limits.max_decode_bytes {
        return Err(Refused::TooManyPixels {
            width: info.width.into(),
            height: info.height.into(),
        });
    }
    let data = decoder.decode().map_err(not_image)?;
    if data.len() != components * w * h {
        return Err(Refused::NotAnImage);
    }
    let orientation = decoder.exif_data().map_or(1, exif_orientation);
    let (out_w, out_h) = fit(w, h, max_side);
    let mut shrink = Shrink::new(w, h, out_w, out_h, components.min(3));
    let mut rgb = Vec::new();
    for row in data.chunks_exact(components * w) {
        if components == 4 {
            // Ink amounts (255 = full ink), printed on white.
            rgb.clear();
            for p in row.chunks_exact(4) {
                let paper = 255 - u32::from(p[3]);
                rgb.extend(
                    p[..3]
                        .iter()
                        .map(|&c| ((255 - u32::from(c)) * paper / 255) as u8),
                );
            }
            shrink.push(&rgb);
        } else {
            shrink.push(row);
        }
    }
    Ok((shrink.finish().ok_or(Refused::NotAnImage)?, orientation))
}

fn decode_png(
    reader: BufReader<File>,
    bytes: u64,
    limits: &SanitizeLimits,
) -> Result<(Pixels, u16), Refused> {
    let not_image = |_| Refused::NotAnImage;
    let budget = usize::try_from(limits.max_decode_bytes).unwrap_or(usize::MAX);
    let mut decoder = png::Decoder::new_with_limits(reader, png::Limits { bytes: budget });
    let header = decoder.read_header_info().map_err(not_image)?;
    check_pixels(header.width, header.height, bytes, limits)?;
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    let mut reader = decoder.read_info().map_err(not_image)?;
    let info = reader.info();
    let (width, height) = (info.width as usize, info.height as usize);
    let orientation = info.exif_metadata.as_deref().map_or(1, exif_orientation);
    let interlaced = info.interlaced;
    let (color, _) = reader.output_color_type();
    let samples = color.samples();
    let channels = if samples <= 2 { 1 } else { 3 };
    let max_side = limits.max_side.min(u16::MAX.into()) as usize;
    let (out_w, out_h) = fit(width, height, max_side);
    let mut shrink = Shrink::new(width, height, out_w, out_h, channels);
    let mut flat = Vec::with_capacity(width * channels);
    let mut push = |row: &[u8]| {
        flat.clear();
        match samples {
            // Grey or RGB, as they are.
            1 | 3 => flat.extend_from_slice(row),
            2 => flat.extend(row.chunks_exact(2).map(|p| over_white(p[0], p[1]))),
            _ => {
                for p in row.chunks_exact(4) {
                    flat.extend([p[0], p[1], p[2]].map(|c| over_white(c, p[3])));
                }
            }
        }
        shrink.push(&flat);
    };
    if interlaced {
        // Adam7 passes must be gathered whole before rows exist.
        let size = reader.output_buffer_size().ok_or(Refused::NotAnImage)?;
        if size as u64 > limits.max_decode_bytes {
            return Err(Refused::TooManyPixels {
                width: width as u32,
                height: height as u32,
            });
        }
        let mut buffer = vec![0; size];
        let frame = reader.next_frame(&mut buffer).map_err(not_image)?;
        for row in buffer.chunks_exact(frame.line_size) {
            push(row);
        }
    } else {
        while let Some(row) = reader.next_row().map_err(not_image)? {
            push(row.data());
        }
    }
    Ok((shrink.finish().ok_or(Refused::NotAnImage)?, orientation))
}

/// A sample with opacity `alpha` drawn on white.
fn over_white(value: u8, alpha: u8) -> u8 {
    let (v, a) = (u32::from(value), u32::from(alpha));
    ((v * a + 255 * (255 - a) + 127) / 255) as u8
}

/// Shrinks an image by averaging the area each output pixel covers, fed
/// one row at a time so that a large PNG never has to be held whole.
///
/// In units where an input column is `out_w` wide and an output column
/// `in_w` wide, each input column falls on one or two output columns (the
/// same for rows); every output pixel adds up `in_w × in_h` units.
struct Shrink {
    in_w: usize,
    in_h: usize,
    out_w: usize,
    out_h: usize,
    channels: usize,
    /// Per input column: its first output column and the units on it (the
    /// rest of `out_w` goes to the next one).
    columns: Vec<(usize, u64)>,
    /// The current input row, summed into output columns.
    row: Vec<u64>,
    /// The output row being summed, and the one after it.
    sums: Vec<u64>,
    next: Vec<u64>,
    rows_in: usize,
    out: Vec<u8>,
}

impl Shrink {
    fn new(in_w: usize, in_h: usize, out_w: usize, out_h: usize, channels: usize) -> Shrink {
        let columns = (0..in_w)
            .map(|x| {
                let start = x * out_w;
                let first = start / in_w;
                let on_first = ((first + 1) * in_w).min(start + out_w) - start;
                (first, on_first as u64)
            })
            .collect();
        Shrink {
            in_w,
            in_h,
            out_w,
            out_h,
            channels,
            columns,
            row: vec![0; out_w * channels],
            sums: vec![0; out_w * channels],
            next: vec![0; out_w * channels],
            rows_in: 0,
            out: Vec::with_capacity(out_w * out_h * channels),
        }
    }

    /// Adds the next input row (`in_w × channels` bytes; more rows than
    /// `in_h` are ignored).
    fn push(&mut self, pixels: &[u8]) {
        if self.rows_in >= self.in_h || pixels.len() != self.in_w * self.channels {
            return;
        }
        let ch = self.channels;
        let out_w = self.out_w as u64;
        self.row.fill(0);
        for (pixel, &(first, on_first)) in pixels.chunks_exact(ch).zip(&self.columns) {
            let at = first * ch;
            for (c, &v) in pixel.iter().enumerate() {
                self.row[at + c] += u64::from(v) * on_first;
                if on_first < out_w {
                    self.row[at + ch + c] += u64::from(v) * (out_w - on_first);
                }
            }
        }
        let start = self.rows_in * self.out_h;
        let first = start / self.in_h;
        let end_of_first = (first + 1) * self.in_h;
        let on_first = end_of_first.min(start + self.out_h) - start;
        let on_next = (self.out_h - on_first) as u64;
        let on_first = on_first as u64;
        for ((s, n), &r) in self.sums.iter_mut().zip(&mut self.next).zip(&self.row) {
            *s += r * on_first;
            *n += r * on_next;
        }
        self.rows_in += 1;
        if start + self.out_h >= end_of_first {
            let total = (self.in_w * self.in_h) as u64;
            self.out
                .extend(self.sums.iter().map(|&s| ((s + total / 2) / total) as u8));
            std::mem::swap(&mut self.sums, &mut self.next);
            self.next.fill(0);
        }
    }

    /// The shrunk image, or `None` if rows were missing.
    fn finish(self) -> Option<Pixels> {
        (self.rows_in == self.in_h).then_some(Pixels {
            width: self.out_w,
            height: self.out_h,
            channels: self.channels,
            data: self.out,
        })
    }
}

/// The orientation (1 to 8) in an EXIF block that starts with its TIFF
/// header, or 1 (as taken) if there is none or it cannot be read.
fn exif_orientation(exif: &[u8]) -> u16 {
    let big_endian = match exif.get(..4) {
        Some(b"MM\0*") => true,
        Some(b"II*\0") => false,
        _ => return 1,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = exif.get(at..at.checked_add(2)?)?;
        let b = [b[0], b[1]];
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = exif.get(at..at.checked_add(4)?)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let find = || -> Option<u16> {
        let ifd = u32_at(4)? as usize;
        let entries = u16_at(ifd)?;
        (0..usize::from(entries)).find_map(|i| {
            let entry = ifd + 2 + 12 * i;
            // Tag 0x0112 (Orientation), type SHORT, one value.
            (u16_at(entry)? == 0x0112 && u16_at(entry + 2)? == 3)
                .then(|| u16_at(entry + 8))
                .flatten()
        })
    };
    find().filter(|o| (1..=8).contains(o)).unwrap_or(1)
}

/// Turns the pixels as EXIF `orientation` says, so they show upright.
fn orient(p: Pixels, orientation: u16) -> Pixels {
    if !(2..=8).contains(&orientation) {
        return p;
    }
    let (w, h, ch) = (p.width, p.height, p.channels);
    let swapped = orientation >= 5;
    let (out_w, out_h) = if swapped { (h, w) } else { (w, h) };
    let mut data = Vec::with_capacity(p.data.len());
    for y in 0..out_h {
        for x in 0..out_w {
            // Where the pixel shown at (x, y) is in the stored image.
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let at = (sy * w + sx) * ch;
            data.extend_from_slice(&p.data[at..at + ch]);
        }
    }
    Pixels {
        width: out_w,
        height: out_h,
        channels: ch,
        data,
    }
}

fn encode(p: &Pixels, quality: u8) -> Result<Photo, Refused> {
    let color = if p.channels == 1 {
        jpeg_encoder::ColorType::Luma
    } else {
        jpeg_encoder::ColorType::Rgb
    };
    let (w, h) = (
        u16::try_from(p.width).map_err(|_| Refused::NotAnImage)?,
        u16::try_from(p.height).map_err(|_| Refused::NotAnImage)?,
    );
    let mut jpeg = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, quality);
    encoder.set_optimized_huffman_tables(true);
    encoder
        .encode(&p.data, w, h, color)
        .map_err(|_| Refused::NotAnImage)?;
    Ok(Photo {
        jpeg,
        width: w.into(),
        height: h.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(width: usize, height: usize, data: &[u8]) -> Pixels {
        Pixels {
            width,
            height,
            channels: 1,
            data: data.to_vec(),
        }
    }

    #[test]
    fn every_orientation_shows_upright() {
        // Stored 3 × 2:  1 2 3
        //                4 5 6
        let stored = [1, 2, 3, 4, 5, 6];
        let expected: [(u16, usize, &[u8]); 8] = [
            (1, 3, &[1, 2, 3, 4, 5, 6]),
            (2, 3, &[3, 2, 1, 6, 5, 4]),
            (3, 3, &[6, 5, 4, 3, 2, 1]),
            (4, 3, &[4, 5, 6, 1, 2, 3]),
            (5, 2, &[1, 4, 2, 5, 3, 6]),
            (6, 2, &[4, 1, 5, 2, 6, 3]),
            (7, 2, &[6, 3, 5, 2, 4, 1]),
            (8, 2, &[3, 6, 2, 5, 1, 4]),
        ];
        for (orientation, width, data) in expected {
            let shown = orient(grey(3, 2, &stored), orientation);
            assert_eq!(
                (shown.width, shown.data.as_slice()),
                (width, data),
                "{orientation}"
            );
        }
    }

    #[test]
    fn orientation_is_read_in_either_byte_order() {
        let mut big = b"MM\0*\0\0\0\x08\0\x01".to_vec();
        big.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        assert_eq!(exif_orientation(&big), 6);
        let mut little = b"II*\0\x08\0\0\0\x01\0".to_vec();
        little.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0]);
        assert_eq!(exif_orientation(&little), 8);
        // Out of range, cut short, or no TIFF header: as taken.
        little[18] = 9;
        assert_eq!(exif_orientation(&little), 1);
        assert_eq!(exif_orientation(&little[..15]), 1);
        assert_eq!(exif_orientation(b"Exif\0\0"), 1);
    }

    #[test]
    fn shrinking_averages_the_area_covered() {
        // 3 → 2 columns: each output column covers one and a half input
        // columns; 2 → 1 rows.
        let mut shrink = Shrink::new(3, 2, 2, 1, 1);
        shrink.push(&[0, 90, 180]);
        shrink.push(&[0, 90, 180]);
        let shrunk = shrink.finish().unwrap();
        assert_eq!(shrunk.data, [30, 150]);
        // Same size: unchanged. A missing row: no image.
        let mut same = Shrink::new(2, 2, 2, 2, 1);
        same.push(&[7, 8]);
        same.push(&[9, 10]);
        assert_eq!(same.finish().unwrap().data, [7, 8, 9, 10]);
        let mut short = Shrink::new(2, 2, 1, 1, 1);
        short.push(&[7, 8]);
        assert!(short.finish().is_none());
    }

    #[test]
    fn fit_keeps_the_aspect_ratio() {
        assert_eq!(fit(4032, 3024, 2000), (2000, 1500));
        assert_eq!(fit(3024, 4032, 2000), (1500, 2000));
        assert_eq!(fit(1200, 900, 2000), (1200, 900));
        assert_eq!(fit(65_535, 1, 2000), (2000, 1));
    }
}
