// A case's documents (issue 28 §4) printed to PDF at A4 in Chromium: the
// laporan hasil, the invitations to both parties and the berita acara of
// an ordinary mediation each fit on one page; a case with a long history
// runs to more pages, and its signatures are never alone on the last one.
//
// "Not alone" is measured on the PDF itself: the last page printed again
// with the signature blocks hidden (the layout unchanged) must still draw
// text; a page without text has no font in the PDF.
//
// tests/browser/journeys.rs starts the server and the desk, and passes
// LOKET_DESK_URL, LOKET_DESK_USER and LOKET_DESK_PASSWORD.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { findRecord, ktpJpeg, screenshotsDir, sendPermohonan, submit, useBrowser } from './lib.mjs';

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with \`cargo test --test browser\``);
  return value;
}

const DESK = need('LOKET_DESK_URL').replace(/\/$/, '');
const desk = (path) => DESK + path;

/** Each document's path and its link on the case page. */
const DOCUMENTS = {
  'laporan-hasil': 'Dokumentasi dan laporan hasil',
  'undangan-pemohon': 'Surat undangan pertemuan untuk pemohon',
  'undangan-termohon': 'Surat undangan pertemuan untuk termohon',
  'berita-acara': 'Berita acara mediasi',
};

let ktp;
const session = useBrowser({
  ready: async (browser) => {
    ktp = await ktpJpeg(browser);
  },
});

/** A signed-in page of its own (JavaScript on: the signature block is
 * removed by a script for the second print). */
async function signedInPage() {
  const context = await session.browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(desk('/masuk/'));
  await page.getByLabel('Nama akun').fill(need('LOKET_DESK_USER'));
  await page.getByLabel('Kata sandi').fill(need('LOKET_DESK_PASSWORD'));
  const response = await submit(page, 'Masuk');
  assert.equal(response.status(), 303);
  return { context, page };
}

/** A citizen's complaint naming the other party (a mediation); its ticket. */
async function mediationCase(uraian) {
  const context = await session.browser.newContext();
  try {
    const page = await context.newPage();
    const response = await sendPermohonan(page, { changes: { uraian }, ktp });
    assert.equal(response.status(), 303);
    return new URL(page.url()).searchParams.get('tiket');
  } finally {
    await context.close();
  }
}

/** The pages of a PDF. */
function pageCount(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) || []).length;
}

/** Whether a PDF draws any text (a page without text has no font). */
function hasText(pdf) {
  return /\/Font\b/.test(pdf.toString('latin1'));
}

/** Prints the document open on `page` at A4: its page count, and whether
 * its last page has text besides the signature blocks (printed again
 * with them hidden, the layout unchanged). */
async function printed(page, name) {
  await page.emulateMedia({ media: 'print' });
  const options = { format: 'A4', preferCSSPageSize: true };
  const pdf = await page.pdf(options);
  writeFileSync(join(screenshotsDir(), `dokumen-${name}.pdf`), pdf);
  const pages = pageCount(pdf);
  const last = { ...options, pageRanges: String(pages) };
  assert.ok(hasText(await page.pdf(last)), `${name}: its last page (${pages}) has text`);
  const blocks = await page.evaluate(() => {
    const found = [...document.querySelectorAll('.signatures')];
    for (const block of found) block.style.visibility = 'hidden';
    return found.length;
  });
  assert.ok(blocks >= 1, `${name} has a signature block`);
  const textBesides = hasText(await page.pdf(last));
  await page.emulateMedia({ media: 'screen' });
  return { pages, textBesides };
}

/** Takes the step in the region titled `region`, filling `labels`, with
 * the button `button`; confirms a meeting the desk asks about. */
async function step(page, region, labels, button) {
  const form = page.getByRole('region', { name: region, exact: true });
  for (const [label, value] of Object.entries(labels)) await form.getByLabel(label, { exact: true }).fill(value);
  let response = await submit(page, button);
  if (response.status() === 422) {
    const again = page.getByRole('region', { name: region, exact: true });
    await again.getByLabel('Jadwal ini sudah saya periksa dan memang benar').check();
    response = await submit(page, button);
  }
  assert.equal(response.status(), 303, `${region}: ${await page.content()}`);
}

test('an ordinary mediation prints each of its four documents on one A4 page, signatures not alone', async () => {
  const ticket = await mediationCase('Pembeli belum membayar 40 bungkus keripik sejak Oktober (uji dokumen).');
  const { context, page } = await signedInPage();
  try {
    await page.goto(desk(`/kasus/${ticket}/`));
    await submit(page, 'Berkas lengkap');
    await step(
      page,
      'Jadwalkan pertemuan',
      { 'Tanggal pertemuan': '2026-12-10', 'Jam (WIB)': '10:00', Tempat: 'Ruang Rapat Dinas Koperasi dan Usaha Mikro' },
      'Simpan jadwal',
    );
    await page.getByRole('link', { name: 'Isian dokumen' }).click();
    await page.getByLabel('Nomor surat undangan untuk pemohon').fill('005/123/415.27/2026');
    await page.getByLabel('Nomor surat undangan untuk termohon').fill('005/124/415.27/2026');
    await page.getByLabel('Kesepakatan tercapai').check();
    await page
      .getByLabel('Isi kesepakatan, atau catatan bila tidak tercapai')
      .fill('1. Toko Maju Jaya membayar 40 bungkus keripik paling lambat 20 Desember 2026.\n2. Pembayaran berikutnya tunai saat barang diterima.');
    const saved = await submit(page, 'Simpan isian dokumen');
    assert.equal(saved.status(), 303);
    await page.getByText('Isian dokumen sudah disimpan.').waitFor();
    await page.goto(desk(`/kasus/${ticket}/`));
    await step(
      page,
      'Selesai',
      { 'Ringkasan hasil layanan (wajib)': 'Mediasi berhasil: para pihak sepakat atas pembayaran 40 bungkus keripik.' },
      'Tandai selesai',
    );
    for (const [name, title] of Object.entries(DOCUMENTS)) {
      await page.goto(desk(`/kasus/${ticket}/`));
      const link = page.getByRole('link', { name: title, exact: true });
      await Promise.all([page.waitForURL(`**/dokumen/${name}/`), link.click()]);
      assert.ok(await page.getByRole('img', { name: 'Lambang daerah' }).isVisible(), `${name}: the emblem`);
      // The officer signs the laporan hasil and the berita acara; the head
      // of office (site.yaml) the invitations.
      const signer = name.startsWith('undangan') ? 'Drs. Bambang Supriyadi, M.Si.' : 'Rina Wulandari, S.E.';
      assert.ok(await page.getByText(signer).first().isVisible(), `${name}: ${signer} signs`);
      await page.screenshot({ path: join(screenshotsDir(), `dokumen-${name}.png`), fullPage: true });
      const { pages, textBesides } = await printed(page, name);
      assert.equal(pages, 1, `${name} prints on one A4 page, not ${pages}`);
      assert.ok(textBesides, `${name}: the signatures are not alone on a page`);
    }
  } finally {
    await context.close();
  }
});

test('a case with a long history runs onto more pages, and its signatures are never alone on the last', async () => {
  const ticket = await mediationCase('Pembeli belum membayar keripik (uji dokumen panjang).');
  const path = findRecord(ticket);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes('history: []\n'), 'a new record has no history');
  // Messages to the citizen, as the desk writes them, n of them.
  const withMessages = (n) => {
    if (n === 0) return text;
    const entries = Array.from({ length: n }, (_, i) => {
      const day = String((i % 28) + 1).padStart(2, '0');
      return `- at: 2026-11-${day}T09:00:00+07:00\n  status: baru\n  by: Petugas Uji\n  public_note: 'Pesan ke-${i + 1}: petugas sudah menghubungi toko, menanyakan jadwal pembayaran, dan mencatat jawabannya untuk pertemuan berikutnya.'\n  message: true\n`;
    });
    return text.replace('history: []\n', `history:\n${entries.join('')}`);
  };
  const { context, page } = await signedInPage();
  try {
    // From a history that fits one page to one that fills two: the page
    // break moves through the closing part (the result, the date, the
    // signatures), wherever the fonts put it.
    const seen = [];
    for (let n = 0; n <= 26; n += 1) {
      writeFileSync(path, withMessages(n), { mode: 0o600 });
      const response = await page.goto(desk(`/kasus/${ticket}/dokumen/laporan-hasil/`));
      assert.equal(response.status(), 200);
      if (n > 0) await page.getByText(`Pesan ke-${n}:`).waitFor();
      const { pages, textBesides } = await printed(page, `laporan-hasil-${n}-pesan`);
      seen.push(`${n}: ${pages}`);
      assert.ok(textBesides, `${n} messages: the signatures are alone on page ${pages} (${seen.join(', ')})`);
    }
    const counts = new Set(seen.map((s) => s.split(': ')[1]));
    assert.ok(counts.has('1') && counts.has('2') && counts.has('3'), `the history spans one to three pages: ${seen.join(', ')}`);
  } finally {
    await context.close();
  }
});
