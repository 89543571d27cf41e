// Shared helpers of the browser tests: the running server, Debian's Chromium,
// the built pages, form data, and a reader for the stored YAML records.
//
// The tests are started by `cargo test --test browser` (tests/browser/journeys.rs),
// which starts `loket serve` and passes where it is in the environment:
//   LOKET_URL          http://127.0.0.1:PORT (no trailing slash)
//   LOKET_DATA         the server's data folder
//   LOKET_PUBLIC       the built site (every index.html is a page)
//   LOKET_SCREENSHOTS  where the screenshots go
//   LOKET_CHROMIUM     the browser (default /usr/bin/chromium)
//   LOKET_DESK_URL, LOKET_DESK_USER, LOKET_DESK_PASSWORD
//                      the staff desk and its account (for a case's steps)

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

function need(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests with \`cargo test --test browser\``);
  }
  return value;
}

export const BASE = need('LOKET_URL').replace(/\/$/, '');
export const DATA = need('LOKET_DATA');
export const PUBLIC = need('LOKET_PUBLIC');
export const SCREENSHOTS = need('LOKET_SCREENSHOTS');
export const CHROMIUM = process.env.LOKET_CHROMIUM || '/usr/bin/chromium';
export const HOST = new URL(BASE).host;

export const PERMOHONAN = '/permohonan/';
export const PENGADUAN_LAYANAN = '/pengaduan-layanan/formulir/';

/** Widths (CSS px) every layout is looked at in: a small phone and a laptop. */
export const VIEWPORTS = [
  { width: 360, height: 800 },
  { width: 1280, height: 900 },
];

/**
 * Waits until the element with `autofocus`, if the page has one, has focus.
 * Chrome applies autofocus at a rendering step of its own after the page
 * has loaded: until then a test sees focus elsewhere, and a focus it moves
 * itself can be taken away. Gives up after 5 s; the test's own checks then
 * say what has focus.
 */
export async function autofocusApplied(page) {
  await page
    .waitForFunction(() => {
      const wanted = document.querySelector('[autofocus]');
      return !wanted || document.activeElement === wanted;
    }, null, { timeout: 5000 })
    .catch(() => {});
}

export function url(path) {
  return BASE + path;
}

/**
 * Debian's Chromium, headless, with a fresh temporary profile (Playwright
 * makes one per launch and removes it on close). Runs as root, hence
 * --no-sandbox; the other switches keep Chromium from calling Google's hosts,
 * which this machine's closed network refuses and which a test must not need.
 */
async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-domain-reliability',
      '--disable-breakpad',
      '--metrics-recording-only',
      ...extraArgs,
    ],
  });
}

/** Chromium as the tests launch it, with more switches (e2e/lighthouse.test.mjs). */
export function launchWith(extraArgs) {
  return launch(extraArgs);
}

/**
 * One Chromium for a test file: launched before its tests (then `ready`
 * runs with it, for a file's own set-up) and closed after them (then
 * `report` runs, for a file's summary). Tests read `session.browser`.
 */
export function useBrowser({ ready, report } = {}) {
  const session = { browser: undefined };
  before(async () => {
    session.browser = await launch();
    await ready?.(session.browser);
  });
  after(async () => {
    await session.browser?.close();
    report?.();
  });
  return session;
}

/** Every built page's URL path, from the index.html files of the output. */
export function builtPages() {
  const pages = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name === 'index.html') {
        const rel = relative(PUBLIC, dir).split(sep).filter(Boolean).join('/');
        pages.push(rel ? `/${rel}/` : '/');
      }
    }
  };
  walk(PUBLIC);
  pages.sort();
  assert.ok(pages.length >= 5, `expected the shipped pages in ${PUBLIC}, found ${pages}`);
  return pages;
}

/** A short name for a page path, for file names: "/layanan/x/" -> "layanan-x". */
export function slug(path) {
  return path.replace(/^\/|\/$/g, '').replace(/[^a-z0-9]+/gi, '-') || 'home';
}

// ---------------------------------------------------------------------------
// Files to upload
// ---------------------------------------------------------------------------

/** A real JPEG of a made-up KTP, drawn by the browser itself. */
export async function ktpJpeg(browser) {
  const page = await browser.newPage();
  try {
    const dataUrl = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 428;
      c.height = 270;
      const g = c.getContext('2d');
      g.fillStyle = '#bcd9f0';
      g.fillRect(0, 0, c.width, c.height);
      g.fillStyle = '#0b0c0c';
      g.font = 'bold 20px sans-serif';
      g.fillText('PROVINSI JAWA TIMUR', 110, 34);
      g.fillText('KABUPATEN JOMBANG', 118, 60);
      g.font = '16px sans-serif';
      g.fillText('NIK  : 3517015205900001', 20, 110);
      g.fillText('Nama : SITI AMINAH (CONTOH)', 20, 140);
      g.fillStyle = '#8aa';
      g.fillRect(310, 90, 90, 120);
      return c.toDataURL('image/jpeg', 0.85);
    });
    const buffer = Buffer.from(dataUrl.split(',')[1], 'base64');
    assert.deepEqual([...buffer.subarray(0, 3)], [0xff, 0xd8, 0xff], 'canvas made a JPEG');
    return { name: 'foto ktp.jpg', mimeType: 'image/jpeg', buffer };
  } finally {
    await page.close();
  }
}

/**
 * A photo straight from a phone camera: a JPEG as far as the server can
 * tell (its first bytes), 6.2 MB, over the default limit of 5 MB.
 */
export function cameraPhoto() {
  const buffer = Buffer.alloc(6_501_171, 0x5a);
  buffer.set([0xff, 0xd8, 0xff, 0xe0]);
  return { name: 'IMG_20261127_101500.jpg', mimeType: 'image/jpeg', buffer };
}

/** A small upload the server accepts as a JPEG (for states, not for looking at). */
export function smallJpeg() {
  const buffer = Buffer.alloc(48 * 1024, 0x5a);
  buffer.set([0xff, 0xd8, 0xff, 0xe0]);
  return { name: 'foto ktp.jpg', mimeType: 'image/jpeg', buffer };
}

/** A small, valid one-page PDF. */
export function suratPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return { name: 'surat permohonan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(body) };
}

export function sha256(buffer) {
  return createHash('sha256').update(buffer).digest('hex');
}

// ---------------------------------------------------------------------------
// Filling the forms as a person would: by the labels they read
// ---------------------------------------------------------------------------

/** A complete permohonan (a complaint, so the termohon fields count too). */
export const PERMOHONAN_VALUES = {
  nama: 'Siti Aminah',
  nik: '3517 0152 0590 0001',
  alamat: 'Jl. Merdeka No. 1, RT 02/RW 03\nKel. Jombang, Kec. Jombang',
  telepon: '0812 3456 7890',
  email: 'siti.aminah@contoh.id',
  nama_usaha: 'Keripik Bu Siti',
  bidang_usaha: 'Makanan ringan',
  alamat_usaha: 'Pasar Legi Blok B-12, Jombang',
  uraian: 'Pembeli belum membayar 40 bungkus keripik sejak Oktober.\nMohon fasilitasi pertemuan dengan pembeli.',
  termohon_nama: 'Toko Maju Jaya',
  termohon_kontak: 'Jl. Sudirman 5, Jombang\n0813 1111 2222',
};

/** What each permohonan field's label says, in form order. */
export const PERMOHONAN_LABELS = {
  nama: 'Nama lengkap (wajib)',
  nik: 'NIK (wajib)',
  alamat: 'Alamat sesuai KTP (wajib)',
  telepon: 'Nomor HP/WhatsApp (wajib)',
  email: 'Surel (opsional)',
  nama_usaha: 'Nama usaha (wajib)',
  bidang_usaha: 'Bidang usaha (wajib)',
  alamat_usaha: 'Alamat usaha (wajib)',
  uraian: 'Uraian masalah atau materi konsultasi (wajib)',
  termohon_nama: 'Nama termohon (wajib untuk fasilitasi pengaduan masalah usaha mikro)',
  termohon_kontak: 'Alamat atau kontak termohon (wajib untuk fasilitasi pengaduan masalah usaha mikro)',
};

export const PENGADUAN_VALUES = {
  nama: 'Budi Santoso',
  kontak: '0857 1234 5678',
  isi: 'Petugas di loket sangat membantu.\nSaran: papan antrean dibuat lebih besar.',
};

export const PENGADUAN_LABELS = {
  nama: 'Nama (wajib)',
  kontak: 'Nomor HP/WhatsApp atau surel (wajib)',
  isi: 'Isi keluhan, saran, atau masukan (wajib)',
};

export async function fillByLabels(page, labels, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = page.getByLabel(labels[name], { exact: true });
    assert.equal(await field.getAttribute('name'), name, `the label "${labels[name]}" belongs to ${name}`);
    await field.fill(value);
  }
}

/** The next page that `page` shows: resolves when a new document has
 * been committed in its main frame (after any redirect). */
function nextDocument(page) {
  return page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
}

/** Submits the form on `page`, waits for the page that answers it to load,
 * and returns the response to the POST. */
export async function submit(page, buttonName) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    nextDocument(page),
    page.getByRole('button', { name: buttonName, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/** The permohonan page with its error state: required fields empty, others wrong. */
export const PERMOHONAN_INVALID = {
  nama: 'Siti Aminah',
  nik: '1234 5678',
  telepon: '12345',
  email: 'siti-di-contoh',
  bidang_usaha: 'Makanan ringan',
};

export const PENGADUAN_INVALID = {
  nama: 'Budi Santoso',
  kontak: 'nomor saya 0857',
};

/** Opens a form and submits it with mistakes; returns the 422 response. */
export async function openErrorState(page, form) {
  if (form === PERMOHONAN) {
    await page.goto(url(PERMOHONAN));
    await fillByLabels(page, PERMOHONAN_LABELS, PERMOHONAN_INVALID);
    return submit(page, 'Kirim permohonan');
  }
  await page.goto(url(PENGADUAN_LAYANAN));
  await fillByLabels(page, PENGADUAN_LABELS, PENGADUAN_INVALID);
  return submit(page, 'Kirim');
}

/**
 * The permohonan filled in completely (a complaint, consent given), with
 * `changes` over PERMOHONAN_VALUES and `ktp` chosen as the KTP file, then
 * sent; returns the response to the POST.
 */
export async function sendPermohonan(page, { changes = {}, ktp } = {}) {
  await page.goto(url(PERMOHONAN));
  await page.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).check();
  await fillByLabels(page, PERMOHONAN_LABELS, { ...PERMOHONAN_VALUES, ...changes });
  if (ktp) await page.getByLabel('Foto KTP (pengganti fotokopi KTP) (wajib)').setInputFiles(ktp);
  await page.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).check();
  return submit(page, 'Kirim permohonan');
}

/** The access code on a receipt page (shown once), or null. */
export async function accessCodeOn(page) {
  const code = page.locator('.access-code .code');
  return (await code.count()) ? (await code.innerText()).trim() : null;
}

/** Fills /cek-status/ as a person would and sends it; returns the response. */
export async function lookUp(page, ticket, code) {
  if (new URL(page.url()).pathname !== '/cek-status/') await page.goto(url('/cek-status/'));
  const form = page.getByRole('form', { name: 'Cek status permohonan atau keluhan' });
  await form.getByLabel('Nomor tiket', { exact: true }).fill(ticket);
  await form.getByLabel('Kode akses', { exact: true }).fill(code);
  return submit(page, 'Cek status');
}

/**
 * A permohonan of its own sent (each call different: an identical resend
 * would get the first one's ticket), its access code read off the receipt,
 * and the case looked up on /cek-status/; returns the lookup's response.
 */
export async function lookUpOwnCase(page) {
  await sendOwnPermohonan(page);
  const ticket = new URL(page.url()).searchParams.get('tiket');
  const code = await accessCodeOn(page);
  assert.ok(code, 'the receipt shows the access code');
  const response = await lookUp(page, ticket, code);
  assert.equal(response.status(), 200, 'the case is found');
  return response;
}

/** A permohonan of its own sent; the page is left on its receipt, which
 * shows the access code (once). Returns the response to the POST. */
export async function sendOwnPermohonan(page) {
  const uraian = `Mohon konsultasi pemasaran (${Date.now()}-${Math.random()}).`;
  const ktp = await ktpJpeg(page.context().browser());
  const sent = await sendPermohonan(page, { changes: { uraian }, ktp });
  assert.equal(sent.status(), 303);
  return sent;
}

/** /cek-status/ answering a ticket and code that open nothing (422). A
 * ticket of its own each time: five wrong codes for one ticket close its
 * lookup for ten minutes, from every address. */
export async function lookUpNothing(page) {
  const symbols = 'CDFHJKMNPRTVWXY34679';
  const suffix = Array.from({ length: 4 }, () => symbols[Math.floor(Math.random() * symbols.length)]).join('');
  const response = await lookUp(page, `KP-20261127-${suffix}`, 'CDFH JKMN');
  assert.equal(response.status(), 422);
  return response;
}

/** A NIK that is wrong (too short), to send a form back with one mistake. */
export const WRONG_NIK = { nik: '3517 0152' };

/**
 * A status page as the server sends it (status.html): a form post the server
 * cannot read gets 415. A person cannot send that from the site's own forms,
 * so a form with enctype text/plain is made on a page of the site.
 * Needs JavaScript in the page (a context with bypassCSP, or evaluate).
 */
export async function openStatusPage(page) {
  await page.goto(url('/tidak-ada-halaman-ini/'));
  // Let this page's own requests (its favicon) end first: one still going
  // when the form leaves the page is aborted and would count as a failure.
  await page.waitForLoadState('networkidle');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    nextDocument(page),
    page.evaluate((action) => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = action;
      f.enctype = 'text/plain';
      const i = document.createElement('input');
      i.name = 'nama';
      i.value = 'x';
      f.append(i);
      document.body.append(f);
      f.submit();
    }, PENGADUAN_LAYANAN),
  ]);
  await page.waitForLoadState('load');
  assert.equal(response.status(), 415, 'a text/plain post gets the status page 415');
  return response;
}

// ---------------------------------------------------------------------------
// A case that waits for its citizen (issue 27)
// ---------------------------------------------------------------------------

/** What staff ask the citizen for, in their words. */
export const ASKED = 'Foto KTP belum terbaca jelas. Mohon kirim ulang foto KTP yang terang dan tidak terpotong.';

/** The staff desk's URL of `path` (journeys.rs starts the desk and passes it). */
function deskUrl(path) {
  return need('LOKET_DESK_URL').replace(/\/$/, '') + path;
}

/**
 * A staff member signs in on the desk (1366 px, without JavaScript), finds
 * the files of `ticket` incomplete and asks its citizen for `asked`: the
 * case then waits in the step `menunggu-kelengkapan`.
 */
export async function askForMissing(browser, ticket, asked = ASKED) {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 768 } });
  try {
    const page = await context.newPage();
    await page.goto(deskUrl('/masuk/'));
    await page.getByLabel('Nama akun').fill(need('LOKET_DESK_USER'));
    await page.getByLabel('Kata sandi').fill(need('LOKET_DESK_PASSWORD'));
    assert.equal((await submit(page, 'Masuk')).status(), 303, 'signed in on the desk');
    await page.goto(deskUrl(`/kasus/${ticket}/`));
    assert.equal((await submit(page, 'Berkas tidak lengkap')).status(), 303, 'files found incomplete');
    const ask = page.getByRole('region', { name: 'Minta pemohon melengkapi berkas', exact: true });
    await ask.getByLabel('Yang perlu dilengkapi pemohon (wajib)').fill(asked);
    assert.equal((await submit(page, 'Kirim permintaan kepada pemohon')).status(), 303, 'the citizen is asked');
    assert.equal(readRecord(findRecord(ticket)).status, 'menunggu-kelengkapan');
  } finally {
    await context.close();
  }
}

/**
 * A permohonan of its own sent, its files asked for on the desk, and the
 * case looked up on /cek-status/ (with the form to send what is missing);
 * returns the lookup's response and leaves the page there.
 */
export async function lookUpWaitingCase(page) {
  await sendOwnPermohonan(page);
  const ticket = new URL(page.url()).searchParams.get('tiket');
  const code = await accessCodeOn(page);
  assert.ok(code, 'the receipt shows the access code');
  await askForMissing(page.context().browser(), ticket);
  const response = await lookUp(page, ticket, code);
  assert.equal(response.status(), 200, 'the waiting case is found');
  return response;
}

/** The reply form of a waiting case sent empty: refused (422). */
async function replyNothing(page) {
  await lookUpWaitingCase(page);
  const response = await submit(page, 'Kirim kekurangan');
  assert.equal(response.status(), 422, 'an empty reply is refused');
  return response;
}

/** The reply form of a waiting case sent with a photo and a reply: accepted (200). */
async function replyWithKtp(page) {
  await lookUpWaitingCase(page);
  // A real photo: a reply's photo is re-encoded, so one that only starts like a JPEG is refused.
  const photo = await ktpJpeg(page.context().browser());
  await page.getByLabel('Foto KTP (pengganti fotokopi KTP)', { exact: true }).setInputFiles(photo);
  await page.getByLabel('Balasan Anda (opsional)').fill('Ini foto KTP saya yang baru.');
  const response = await submit(page, 'Kirim kekurangan');
  assert.equal(response.status(), 200, 'the reply is accepted');
  return response;
}

/**
 * A staff member rejects `ticket` on the desk (1366 px, without JavaScript):
 * the case is closed, and its citizen invited to the survey.
 */
export async function rejectOnDesk(browser, ticket, reason = 'Permohonan ganda; sudah ditangani lewat tiket lain.') {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 768 } });
  try {
    const page = await context.newPage();
    await page.goto(deskUrl('/masuk/'));
    await page.getByLabel('Nama akun').fill(need('LOKET_DESK_USER'));
    await page.getByLabel('Kata sandi').fill(need('LOKET_DESK_PASSWORD'));
    assert.equal((await submit(page, 'Masuk')).status(), 303, 'signed in on the desk');
    await page.goto(deskUrl(`/kasus/${ticket}/`));
    const tolak = page.getByRole('region', { name: 'Tolak', exact: true });
    await tolak.getByLabel('Alasan penolakan (wajib)').fill(reason);
    assert.equal((await submit(page, 'Tolak permohonan')).status(), 303, 'the case is rejected');
    assert.equal(readRecord(findRecord(ticket)).status, 'ditolak');
  } finally {
    await context.close();
  }
}

/**
 * A permohonan of its own sent, rejected on the desk, and looked up on
 * /cek-status/, which offers the survey's one-time link; returns the
 * link's path (`/survei/?kode=…`) and leaves the page there.
 */
export async function lookUpClosedCase(page) {
  await sendOwnPermohonan(page);
  const ticket = new URL(page.url()).searchParams.get('tiket');
  const code = await accessCodeOn(page);
  assert.ok(code, 'the receipt shows the access code');
  await rejectOnDesk(page.context().browser(), ticket);
  const response = await lookUp(page, ticket, code);
  assert.equal(response.status(), 200, 'the closed case is found');
  const href = await page.getByRole('link', { name: 'Isi survei kepuasan' }).getAttribute('href');
  assert.match(href, /^\/survei\/\?kode=[0-9a-f]{32}$/, 'the survey link carries a token, not the access code');
  return href;
}

let surveyLink = null;

/** The questionnaire of one closed case (made once per test file; opening
 * it does not use it up). */
async function openQuestionnaire(page) {
  if (!surveyLink) {
    const other = await page.context().browser().newContext({ javaScriptEnabled: false });
    try {
      surveyLink = await lookUpClosedCase(await other.newPage());
    } finally {
      await other.close();
    }
  }
  const response = await page.goto(url(surveyLink));
  assert.equal(response.status(), 200, 'the questionnaire opens');
  return response;
}

/** The questionnaire sent with nothing rated: sent back (422). */
async function answerNothing(page) {
  await openQuestionnaire(page);
  const response = await submit(page, 'Kirim jawaban');
  assert.equal(response.status(), 422, 'an empty questionnaire is refused');
  return response;
}

// ---------------------------------------------------------------------------
// The stored record
// ---------------------------------------------------------------------------

/** The path of a ticket's YAML under DATA, or null. */
export function findRecord(ticket) {
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '.tmp') {
        const found = walk(path);
        if (found) return found;
      } else if (entry.name === `${ticket}.yaml`) {
        return path;
      }
    }
    return null;
  };
  return walk(join(DATA, 'submissions'));
}

function scalar(text) {
  const t = text.trim();
  if (t.startsWith("'")) {
    assert.ok(t.endsWith("'"), `single-quoted scalar ends with a quote: ${t}`);
    return t.slice(1, -1).replaceAll("''", "'");
  }
  if (t.startsWith('"')) return JSON.parse(t);
  if (t === '~' || t === 'null') return null;
  return t;
}

/**
 * Reads the record YAML loket writes: top-level scalars, maps of scalars
 * (`fields:`, `normalized:`), lists of maps (`attachments:`), and block
 * scalars (`|`, `|-`) for text with line breaks, and a map of scalars or
 * lists of scalars inside a list item (a history entry's `added:`). Enough for the test to
 * compare what was typed with what was stored; not a general YAML parser.
 */
export function readRecord(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const record = {};
  let i = 0;
  const indentOf = (line) => line.length - line.trimStart().length;

  // The value after "key:" at line i (already split), maybe a block scalar.
  const value = (rest, indent) => {
    const r = rest.trim();
    if (r === '|' || r === '|-' || r === '|+') {
      const block = [];
      let blockIndent = null;
      while (i + 1 < lines.length) {
        const next = lines[i + 1];
        if (next.trim() === '') {
          block.push('');
          i += 1;
          continue;
        }
        const ind = indentOf(next);
        if (ind <= indent) break;
        blockIndent ??= ind;
        block.push(next.slice(blockIndent));
        i += 1;
      }
      while (block.length && block.at(-1) === '') block.pop();
      return block.join('\n') + (r === '|' ? '\n' : '');
    }
    return scalar(r);
  };

  const keyValue = (text) => {
    const m = /^([A-Za-z0-9_]+):(?: (.*))?$/.exec(text);
    assert.ok(m, `record line "${text}" in ${path}`);
    return [m[1], m[2] ?? ''];
  };

  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) continue;
    assert.equal(indentOf(line), 0, `top-level key at line ${i + 1} of ${path}`);
    const [key, rest] = keyValue(line);
    if (rest.trim() !== '') {
      record[key] = value(rest, 0);
      continue;
    }
    // A map or a list below.
    const next = lines[i + 1] ?? '';
    if (next.startsWith('- ') || next.startsWith('  - ')) {
      const list = [];
      while (i + 1 < lines.length && /^( {2})?- /.test(lines[i + 1])) {
        i += 1;
        const itemIndent = lines[i].indexOf('- ') + 2;
        const item = {};
        let [k, v] = keyValue(lines[i].slice(itemIndent));
        const nested = (key, rest) => {
          // A map of scalars below an item's key (a history entry's `added:`).
          if (rest.trim() !== '' || i + 1 >= lines.length || indentOf(lines[i + 1]) <= itemIndent) return false;
          const inner = indentOf(lines[i + 1]);
          const map = {};
          while (i + 1 < lines.length && indentOf(lines[i + 1]) === inner && lines[i + 1].trim() !== '') {
            i += 1;
            const [nk, nv] = keyValue(lines[i].slice(inner));
            if (nv.trim() === '' && /^ *- /.test(lines[i + 1] ?? '')) {
              // A list of scalars (the names of the files a reply added).
              map[nk] = [];
              while (i + 1 < lines.length && /^ *- /.test(lines[i + 1]) && indentOf(lines[i + 1]) >= inner) {
                i += 1;
                map[nk].push(scalar(lines[i].trim().slice(2)));
              }
            } else {
              map[nk] = value(nv, inner);
            }
          }
          item[key] = map;
          return true;
        };
        if (!nested(k, v)) item[k] = value(v, itemIndent - 2);
        while (i + 1 < lines.length && indentOf(lines[i + 1]) === itemIndent && lines[i + 1].trim() !== '') {
          i += 1;
          [k, v] = keyValue(lines[i].slice(itemIndent));
          if (!nested(k, v)) item[k] = value(v, itemIndent);
        }
        list.push(item);
      }
      record[key] = list;
    } else {
      const map = {};
      while (i + 1 < lines.length && indentOf(lines[i + 1]) === 2 && lines[i + 1].trim() !== '') {
        i += 1;
        const [k, v] = keyValue(lines[i].slice(2));
        map[k] = value(v, 2);
      }
      record[key] = map;
    }
  }
  return record;
}

/**
 * The attachment `a` of the record at `recordPath` is stored as the record
 * says (its size and sha256): a PDF byte for byte as `chosen`, a photo
 * re-encoded as a JPEG (the server keeps only its pixels).
 */
export function expectStored(recordPath, a, chosen) {
  const bytes = attachmentBytes(recordPath, a.stored_name);
  assert.equal(Number(a.size), bytes.length, `${a.stored_name}: the size the record gives`);
  assert.equal(a.sha256, sha256(bytes), `${a.stored_name}: the sha256 the record gives`);
  if (chosen.buffer.subarray(0, 5).toString('latin1') === '%PDF-') {
    assert.ok(bytes.equals(chosen.buffer), `${a.stored_name} stored byte for byte`);
  } else {
    assert.equal(a.type, 'image/jpeg');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], `${a.stored_name} is a JPEG`);
  }
}

/** The attachment file stored beside a record. */
export function attachmentBytes(recordPath, storedName) {
  const dir = recordPath.replace(/\.yaml$/, '');
  const path = join(dir, storedName);
  assert.ok(statSync(path).isFile(), `${path} exists`);
  return readFileSync(path);
}

/** The confirmation page of a ticket whose record is written into the
 * data folder here (the receipt is read from the record), received on
 * 27 November 2026. */
export function confirmationPath(prefix) {
  const ticket = `${prefix}-20261127-7KX4`;
  const dir = join(DATA, 'submissions', '2026', '11', '27');
  mkdirSync(dir, { recursive: true });
  const kind = prefix === 'KP' ? 'permohonan' : 'pengaduan-layanan';
  const due = prefix === 'KP' ? 'response_due: 2026-12-04\ncompletion_due: 2026-12-04\n' : 'response_due: 2026-12-02\n';
  writeFileSync(
    join(dir, `${ticket}.yaml`),
    `ticket: ${ticket}\nkind: ${kind}\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: baru\n${due}fields:\n  nama: Contoh\nattachments: []\nhistory: []\n`,
    { mode: 0o600 },
  );
  return `/terkirim/?tiket=${ticket}`;
}

/**
 * Every state of the site a citizen can see: each built page, the 404 page,
 * each form's error state (and the permohonan sent back with a file too
 * large, and with its KTP kept), the confirmation page of each form, a
 * status page, and /cek-status/ (empty, no match, a case found, a case
 * waiting for its citizen, its reply refused and sent). `open(page)` brings
 * `page` there and returns the main response.
 */
export function siteStates() {
  const states = builtPages().map((path) => ({
    name: slug(path),
    path,
    open: (page) => page.goto(url(path)),
  }));
  const at = (name, path) => ({ name, path, open: (page) => page.goto(url(path)) });
  states.push(
    at('404', '/halaman-yang-tidak-ada/'),
    { name: 'permohonan-kesalahan', path: `${PERMOHONAN} (422)`, open: (p) => openErrorState(p, PERMOHONAN) },
    {
      name: 'pengaduan-layanan-formulir-kesalahan',
      path: `${PENGADUAN_LAYANAN} (422)`,
      open: (p) => openErrorState(p, PENGADUAN_LAYANAN),
    },
    {
      name: 'permohonan-berkas-terlalu-besar',
      path: `${PERMOHONAN} (422, file too large)`,
      open: (p) => sendPermohonan(p, { ktp: cameraPhoto() }),
    },
    {
      name: 'permohonan-berkas-tersimpan',
      path: `${PERMOHONAN} (422, KTP kept)`,
      open: (p) => sendPermohonan(p, { changes: WRONG_NIK, ktp: smallJpeg() }),
    },
    at('terkirim-permohonan', confirmationPath('KP')),
    at('terkirim-pengaduan-layanan', confirmationPath('PL')),
    { name: 'status-415', path: `${PENGADUAN_LAYANAN} (415)`, open: openStatusPage },
    { name: 'terkirim-dengan-kode', path: '/terkirim/ (with its access code)', open: sendOwnPermohonan },
    at('cek-status', '/cek-status/'),
    { name: 'cek-status-tidak-cocok', path: '/cek-status/ (422, no match)', open: lookUpNothing },
    { name: 'cek-status-hasil', path: '/cek-status/ (a case found)', open: lookUpOwnCase },
    { name: 'cek-status-menunggu', path: '/cek-status/ (a case waiting, its reply form)', open: lookUpWaitingCase },
    { name: 'cek-status-balasan-kosong', path: '/cek-status/balas/ (422, empty reply)', open: replyNothing },
    { name: 'cek-status-balasan-terkirim', path: '/cek-status/balas/ (reply sent)', open: replyWithKtp },
    at('survei', '/survei/'),
    at('survei-tidak-dikenal', '/survei/?kode=KXM4-7PRT'),
    { name: 'survei-kuesioner', path: '/survei/?kode= (the questionnaire)', open: openQuestionnaire },
    { name: 'survei-kosong', path: '/survei/ (422, nothing rated)', open: answerNothing },
    at('survei-terima-kasih', '/survei/terima-kasih/'),
  );
  return states;
}

export function screenshotsDir() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return SCREENSHOTS;
}
