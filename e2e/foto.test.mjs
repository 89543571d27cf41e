// A camera photo is made small in the browser before it leaves the phone
// (static/js/foto.js), on a phone (360 px): a 12 MP JPEG of 3.6 MB with
// EXIF orientation and GPS goes as a JPEG of at most 2000 px, upright, with
// no EXIF, and the field says the size before and after. Without
// JavaScript the original goes, as before, and the server makes it small.
// A file the browser cannot decode (named HEIC, or a damaged JPEG) goes as
// it is and the server answers as it always did; a PDF is left alone. axe
// finds nothing on the form showing the sizes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { CAMERA, cameraJpeg, jpegInfo } from './photo.mjs';
import {
  PERMOHONAN,
  PERMOHONAN_LABELS,
  PERMOHONAN_VALUES,
  attachmentBytes,
  expectStored,
  fillByLabels,
  findRecord,
  readRecord,
  submit,
  suratPdf,
  url,
  useBrowser,
} from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const PHONE = { width: 360, height: 800 };
const KTP_LABEL = 'Foto KTP (pengganti fotokopi KTP) (wajib)';
/** What the field says once the photo is smaller: "Foto diperkecil: 3,5 MB → 512 KB." */
const SHRUNK = /^Foto diperkecil: \d+,\d MB → \d+ KB\.$/;

let photo;
const session = useBrowser({
  ready: () => {
    photo = cameraJpeg();
  },
});

/** The long and short side the server keeps of the camera photo: upright
 * (orientation 6 turns 4000 × 3000 into 3000 × 4000), long side 2000. */
const UPRIGHT = { width: 1500, height: 2000 };

/**
 * A page at phone width whose page errors, console errors and failed
 * requests are collected, and the body length (Content-Length) of each
 * POST it sends.
 */
async function phonePage(javaScriptEnabled, options = {}) {
  const context = await session.browser.newContext({ javaScriptEnabled, viewport: PHONE, ...options });
  const page = await context.newPage();
  const problems = [];
  const posted = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs a page answered 422 (a form sent back) as an error of its own.
    const formSentBack = /^Failed to load resource: the server responded with a status of 422\b/.test(m.text());
    if (m.type() === 'error' && !formSentBack) problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', async (r) => {
    if (r.method() === 'POST') posted.push(r.allHeaders().then((h) => Number(h['content-length'])));
  });
  return { context, page, problems, posted: () => Promise.all(posted) };
}

/** The permohonan filled in (its own text), `file` chosen as the KTP; not sent. */
async function fillPermohonan(page, what, file) {
  await page.goto(url(PERMOHONAN));
  await page.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).check();
  const uraian = `${PERMOHONAN_VALUES.uraian}\n(Uji foto: ${what}.)`;
  await fillByLabels(page, PERMOHONAN_LABELS, { ...PERMOHONAN_VALUES, uraian });
  await page.getByLabel(KTP_LABEL).setInputFiles(file);
  await page.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).check();
}

/** The KTP the record of the receipt now shown keeps: its attachment and bytes. */
function storedKtp(page, chosen) {
  const ticket = new URL(page.url()).searchParams.get('tiket');
  const path = findRecord(ticket ?? '');
  assert.ok(path, `a record for the receipt ${page.url()}`);
  const [a, ...more] = readRecord(path).attachments.filter((x) => x.field === 'ktp');
  assert.equal(more.length, 0);
  assert.equal(a.original_name, chosen.name, 'the file keeps its name');
  expectStored(path, a, chosen);
  return attachmentBytes(path, a.stored_name);
}

/** A JPEG the server kept: upright at 2000 px, no EXIF (so no GPS). */
function expectKeptPhoto(bytes) {
  const info = jpegInfo(bytes);
  assert.ok(info, 'the kept file is a JPEG with a frame header');
  assert.deepEqual({ width: info.width, height: info.height }, UPRIGHT, 'upright, 2000 px on the long side');
  assert.ok(!info.segments.some((s) => s.startsWith('APP1')), `no EXIF in the kept file: ${info.segments}`);
  assert.ok(!bytes.includes(Buffer.from('Exif\0\0', 'latin1')), 'no EXIF anywhere in the kept file');
}

test('with JavaScript a 12 MP photo goes at most 2000 px, upright, without EXIF, and the field says how much smaller', async () => {
  assert.ok(photo.buffer.length > 3_400_000, `the camera photo weighs ${photo.buffer.length} bytes`);
  assert.deepEqual(jpegInfo(photo.buffer).segments, ['APP0 JFIF', 'APP1 Exif'], 'the camera photo has EXIF');
  const { context, page, problems, posted } = await phonePage(true);
  try {
    await fillPermohonan(page, 'diperkecil dengan JavaScript', photo);
    const status = page.locator('#f-ktp-ukuran');
    await status.filter({ hasText: 'Foto diperkecil:' }).waitFor();
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    const said = await status.innerText();
    assert.match(said, SHRUNK);
    assert.ok(said.includes('3,5 MB →'), `the size before, as the site writes sizes: ${said}`);

    // What the input now holds: the photo made small, as a JPEG the browser
    // made (no EXIF), at most 2000 px.
    const held = await page.getByLabel(KTP_LABEL).evaluate(async (input) => {
      const f = input.files[0];
      return { name: f.name, type: f.type, size: f.size, bytes: Array.from(new Uint8Array(await f.arrayBuffer())) };
    });
    const bytes = Buffer.from(held.bytes);
    const info = jpegInfo(bytes);
    assert.deepEqual({ width: info.width, height: info.height }, UPRIGHT, 'drawn upright at 2000 px in the browser');
    assert.ok(!info.segments.includes('APP1 Exif'), `no EXIF leaves the phone: ${info.segments}`);
    assert.equal(held.type, 'image/jpeg');
    assert.equal(held.name, photo.name);
    assert.ok(said.endsWith(` → ${Math.ceil(held.size / 1024)} KB.`), `the size after is the file's: ${said} (${held.size})`);

    const response = await submit(page, 'Kirim permohonan');
    assert.equal(response.status(), 303, 'the permohonan is received');
    const [length] = await posted();
    assert.ok(length < held.size + 64 * 1024, `the small photo went (${length} bytes posted, photo ${held.size})`);
    expectKeptPhoto(storedKtp(page, photo));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('with JavaScript a photo chosen just before pressing the button still goes small', async () => {
  const { context, page, problems, posted } = await phonePage(true);
  try {
    await fillPermohonan(page, 'langsung dikirim', photo);
    // No wait for the field's message: the button is pressed at once.
    const response = await submit(page, 'Kirim permohonan');
    assert.equal(response.status(), 303);
    const [length] = await posted();
    assert.ok(length < 1024 * 1024, `the photo went small (${length} bytes posted)`);
    expectKeptPhoto(storedKtp(page, photo));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('without JavaScript the original photo goes and the server makes it small', async () => {
  const { context, page, posted } = await phonePage(false);
  try {
    await fillPermohonan(page, 'tanpa JavaScript', photo);
    const response = await submit(page, 'Kirim permohonan');
    assert.equal(response.status(), 303);
    const [length] = await posted();
    assert.ok(length > photo.buffer.length, `the original went (${length} bytes posted)`);
    expectKeptPhoto(storedKtp(page, photo));
    assert.equal(CAMERA.width / 2, UPRIGHT.height, 'the server halves the 12 MP photo, as the browser does');
  } finally {
    await context.close();
  }
});

/** A file the browser cannot decode goes as it is; the server refuses it with `message`. */
async function notDecodable(file, message) {
  const { context, page, problems, posted } = await phonePage(true);
  try {
    await fillPermohonan(page, file.name, file);
    const response = await submit(page, 'Kirim permohonan');
    assert.equal(response.status(), 422, 'the server answers as it does today');
    const [length] = await posted();
    assert.ok(length > file.buffer.length, `the chosen file went as it is (${length} bytes posted)`);
    assert.match(await page.locator('#f-ktp-error').innerText(), message);
    assert.deepEqual(problems, [], 'nothing went wrong in the page');
  } finally {
    await context.close();
  }
}

test('a HEIC photo, which Chromium cannot decode, goes as it is and gets the usual answer', async () => {
  const buffer = Buffer.alloc(900 * 1024, 0x37);
  buffer.write('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 0, 'latin1');
  await notDecodable({ name: 'IMG_0042.HEIC', mimeType: 'image/heic', buffer }, /harus berupa foto \(JPG atau PNG\) atau dokumen PDF/);
});

test('a damaged JPEG goes as it is and gets the usual answer', async () => {
  const buffer = Buffer.from(photo.buffer.subarray(0, 600 * 1024));
  buffer.fill(0x5a, 2000, 600 * 1024); // Its header stays; what follows is garbage.
  await notDecodable({ name: 'rusak.jpg', mimeType: 'image/jpeg', buffer }, /Foto ini tidak dapat dibuka: berkasnya rusak/);
});

test('a PDF is left alone', async () => {
  const pdf = suratPdf();
  const { context, page, problems } = await phonePage(true);
  try {
    await fillPermohonan(page, 'PDF', pdf);
    assert.equal(await page.locator('#f-ktp-ukuran').count() ? await page.locator('#f-ktp-ukuran').innerText() : '', '');
    const response = await submit(page, 'Kirim permohonan');
    assert.equal(response.status(), 303);
    storedKtp(page, pdf); // Byte for byte.
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('axe finds nothing on the form saying the sizes', async () => {
  const { context, page } = await phonePage(true, { bypassCSP: true });
  try {
    await page.goto(url(PERMOHONAN));
    await page.getByLabel(KTP_LABEL).setInputFiles(photo);
    await page.locator('#f-ktp-ukuran').filter({ hasText: 'Foto diperkecil:' }).waitFor();
    await page.addScriptTag({ content: AXE_SOURCE });
    const results = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
    );
    assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`), []);
  } finally {
    await context.close();
  }
});
