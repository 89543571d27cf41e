// A phone camera's photo, made at test time (no big binary in the
// repository), and a reader for what a JPEG says about itself. Needs
// ImageMagick's `convert`. Used by foto.test.mjs and bench/upload-3g.mjs;
// reads no environment, so the benchmark can import it on its own.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Pixels of the photo as stored: landscape, shown portrait (EXIF orientation 6). */
export const CAMERA = { width: 4000, height: 3000, orientation: 6 };

/**
 * An EXIF APP1 segment as a phone writes one, cut down: the orientation
 * and a GPS position (7°33' S, 112°14' E, Jombang). Little-endian TIFF.
 */
function exifSegment(orientation) {
  const tiff = Buffer.alloc(152);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  const entry = (at, tag, type, count, value) => {
    tiff.writeUInt16LE(tag, at);
    tiff.writeUInt16LE(type, at + 2);
    tiff.writeUInt32LE(count, at + 4);
    if (type === 3) tiff.writeUInt16LE(value, at + 8);
    else if (Buffer.isBuffer(value)) value.copy(tiff, at + 8);
    else tiff.writeUInt32LE(value, at + 8);
  };
  // IFD0 at 8: Orientation, the GPS IFD's offset.
  tiff.writeUInt16LE(2, 8);
  entry(10, 0x0112, 3, 1, orientation);
  entry(22, 0x8825, 4, 1, 38);
  tiff.writeUInt32LE(0, 34);
  // GPS IFD at 38: version, latitude (at 104) and longitude (at 128).
  tiff.writeUInt16LE(5, 38);
  entry(40, 0x0000, 1, 4, Buffer.from([2, 2, 0, 0]));
  entry(52, 0x0001, 2, 2, Buffer.from('S\0', 'latin1'));
  entry(64, 0x0002, 5, 3, 104);
  entry(76, 0x0003, 2, 2, Buffer.from('E\0', 'latin1'));
  entry(88, 0x0004, 5, 3, 128);
  tiff.writeUInt32LE(0, 100);
  [7, 1, 33, 1, 0, 1, 112, 1, 14, 1, 0, 1].forEach((n, i) => tiff.writeUInt32LE(n, 104 + 4 * i));
  const head = Buffer.alloc(10);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(2 + 6 + tiff.length, 2);
  head.write('Exif\0\0', 4, 'latin1');
  return Buffer.concat([head, tiff]);
}

/**
 * A 12 MP camera JPEG of about 3.6 MB (3.5 MiB): 4000 × 3000 pixels of
 * noisy plasma (as hard to compress as a photo), quality 92, 4:2:0, with
 * EXIF orientation 6 (so it shows 3000 × 4000) and a GPS position. The same
 * bytes every time (a fixed seed).
 */
export function cameraJpeg() {
  const dir = mkdtempSync(join(tmpdir(), 'loket-foto-'));
  try {
    const path = join(dir, 'kamera.jpg');
    execFileSync('convert', [
      '-seed', '31',
      '-size', `${CAMERA.width}x${CAMERA.height}`, 'plasma:fractal',
      '-blur', '0x2', '-attenuate', '0.4', '+noise', 'Gaussian',
      '-strip', '-quality', '92', '-sampling-factor', '2x2',
      path,
    ]);
    const jpeg = readFileSync(path);
    // After SOI and the JFIF APP0 ImageMagick writes.
    let at = 2;
    if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at = 4 + jpeg.readUInt16BE(4);
    const buffer = Buffer.concat([jpeg.subarray(0, at), exifSegment(CAMERA.orientation), jpeg.subarray(at)]);
    return { name: 'IMG_20261127_101500.jpg', mimeType: 'image/jpeg', buffer };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a JPEG's header says: its pixel size (from the frame header) and its
 * APPn segments ("APP1 Exif", "APP0 JFIF", …); null for bytes that are not
 * a JPEG with a frame header.
 */
export function jpegInfo(bytes) {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const segments = [];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (marker >= 0xe0 && marker <= 0xef) {
      const id = bytes.subarray(at + 4, Math.min(at + 2 + length, at + 9)).toString('latin1').replace(/\0.*$/s, '');
      segments.push(`APP${marker - 0xe0} ${id}`);
    }
    const frame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (frame) {
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7), segments };
    }
    if (marker === 0xda) return null;
    at += 2 + length;
  }
  return null;
}
