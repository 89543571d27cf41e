// The citizen's journeys, in Chromium, with and without JavaScript: from the
// home page through the site's links to a form, filled in by its labels,
// submitted with files, to the confirmation page with its access code, the
// case looked up with ticket and code at 360 px, and the record on disk.
// These contexts keep the site's Content-Security-Policy (no bypassCSP).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  BASE,
  accessCodeOn,
  PENGADUAN_LABELS,
  PENGADUAN_LAYANAN,
  PENGADUAN_VALUES,
  PERMOHONAN,
  PERMOHONAN_LABELS,
  PERMOHONAN_VALUES,
  expectStored,
  fillByLabels,
  findRecord,
  ktpJpeg,
  lookUp,
  readRecord,
  submit,
  suratPdf,
  url,
  useBrowser,
} from './lib.mjs';

let ktp;

const session = useBrowser({
  ready: async (browser) => {
    ktp = await ktpJpeg(browser);
  },
});

/**
 * A page that records what goes wrong while a person uses it: script errors,
 * console errors (a CSP violation is one), failed requests, requests to
 * other hosts.
 */
async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(`${BASE}/`)) problems.push(`request to another host: ${r.url()}`);
  });
  return { page, problems };
}

const nav = (page) => page.getByRole('navigation', { name: 'Menu utama' });

/**
 * The values a journey types: each journey its own submission (the server
 * answers an identical resend with the first one's ticket).
 */
function ownValues(values, javaScriptEnabled) {
  const how = javaScriptEnabled ? 'dengan JavaScript' : 'tanpa JavaScript';
  const [last] = Object.keys(values).slice(-1);
  return { ...values, [last]: `${values[last]}\n(Uji ${how}.)` };
}

async function permohonanJourney(javaScriptEnabled) {
  const values = ownValues(PERMOHONAN_VALUES, javaScriptEnabled);
  const context = await session.browser.newContext({ javaScriptEnabled });
  try {
    const { page, problems } = await watchedPage(context);

    // Home -> Layanan (menu) -> the service (card) -> its form (summary button).
    const home = await page.goto(url('/'));
    assert.equal(home.status(), 200);
    await expectHeading(page, 'Layanan Dinas Koperasi dan Usaha Mikro Kabupaten Jombang');
    await nav(page).getByRole('link', { name: 'Layanan', exact: true }).click();
    assert.equal(new URL(page.url()).pathname, '/layanan/');
    await expectHeading(page, 'Layanan');
    await page
      .getByRole('main')
      .getByRole('link', { name: 'Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro' })
      .click();
    assert.equal(new URL(page.url()).pathname, '/layanan/fasilitasi-usaha-mikro/');
    const summary = page.getByRole('region', { name: 'Ringkasan layanan' });
    assert.match(await summary.innerText(), /5 hari kerja/);
    await summary.getByRole('link', { name: 'Ajukan permohonan' }).click();
    assert.equal(new URL(page.url()).pathname, PERMOHONAN);
    await expectHeading(page, 'Konsultasi dan pengaduan masalah usaha');

    // Every field, by the labels a person reads.
    const form = page.getByRole('form', { name: 'Formulir konsultasi dan pengaduan masalah usaha' });
    await form.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).check();
    await fillByLabels(form, PERMOHONAN_LABELS, values);
    await form.getByLabel('Foto KTP (pengganti fotokopi KTP) (wajib)').setInputFiles(ktp);
    const surat = suratPdf();
    await form.getByLabel('Dokumen pendukung 1 (opsional)').setInputFiles(surat);
    await form.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).check();

    const response = await submit(page, 'Kirim permohonan');
    assert.equal(response.status(), 303, 'an accepted post is redirected');

    // The confirmation page names the ticket; its URL holds nothing else.
    const ticket = await confirmation(page, 'KP');
    assert.match(await page.getByRole('main').innerText(), /Permohonan diselesaikan paling lambat \S+, \d+ \S+ \d{4} \(5 hari kerja sejak diterima\)/);

    // Beside the ticket, the access code: shown this once.
    const code = await accessCodeOn(page);
    assert.match(code ?? '', /^[CDFHJKMNPRTVWXY34679]{4} [CDFHJKMNPRTVWXY34679]{4}$/);
    await page.reload();
    assert.equal(await accessCodeOn(page), null, 'not shown again on a reload');
    assert.match(await page.getByRole('main').innerText(), /Kode akses sudah ditampilkan sebelumnya/, 'the reload says so');

    // At 360 px (confirmation() left it there), the citizen looks the case
    // up with the ticket and the code, from the receipt's own link.
    await page.getByRole('main').getByRole('link', { name: 'Cek status', exact: true }).first().click();
    assert.equal(new URL(page.url()).pathname, '/cek-status/');
    await expectHeading(page, 'Cek status permohonan atau keluhan');
    const answer = await lookUp(page, ticket.toLowerCase(), code);
    assert.equal(answer.status(), 200);
    assert.equal(page.url(), url('/cek-status/'), 'the code is never in a URL');
    await expectHeading(page, 'Status permohonan Anda');
    const found = await page.getByRole('main').innerText();
    assert.match(found, new RegExp(ticket));
    assert.match(found, /Sudah diterima, menunggu diperiksa petugas/);
    assert.match(found, /diselesaikan paling lambat/);
    assert.doesNotMatch(found, /3517|0812|Merdeka/, 'nothing personal but the name');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 0, `the answer fits 360 px (${overflow} px too wide)`);
    assert.deepEqual(problems, [], 'nothing went wrong in the browser');

    // The record on disk holds what was typed, and the files as chosen.
    const path = findRecord(ticket);
    assert.ok(path, `the record of ${ticket} is stored`);
    const record = readRecord(path);
    assert.equal(record.ticket, ticket);
    assert.equal(record.kind, 'permohonan');
    assert.equal(record.status, 'baru');
    assert.deepEqual(record.fields, {
      jenis: 'pengaduan',
      ...values,
      persetujuan: 'ya',
    });
    assert.equal(record.normalized.nik, '3517015205900001');
    assert.equal(record.normalized.telepon, '+6281234567890');
    const files = Object.fromEntries(record.attachments.map((a) => [a.field, a]));
    assert.deepEqual(Object.keys(files).sort(), ['dokumen_1', 'ktp']);
    for (const [field, chosen, ext, type] of [
      ['ktp', ktp, 'jpg', 'image/jpeg'],
      ['dokumen_1', surat, 'pdf', 'application/pdf'],
    ]) {
      const a = files[field];
      assert.equal(a.original_name, chosen.name);
      assert.equal(a.stored_name, `${field.replaceAll('_', '-')}.${ext}`);
      assert.equal(a.type, type);
      expectStored(path, a, chosen);
    }
  } finally {
    await context.close();
  }
}

async function pengaduanJourney(javaScriptEnabled) {
  const values = ownValues(PENGADUAN_VALUES, javaScriptEnabled);
  const context = await session.browser.newContext({ javaScriptEnabled });
  try {
    const { page, problems } = await watchedPage(context);

    // Home -> Keluhan, saran, dan masukan (menu) -> "formulir daring".
    await page.goto(url('/'));
    await nav(page).getByRole('link', { name: 'Keluhan, saran, dan masukan' }).click();
    assert.equal(new URL(page.url()).pathname, '/pengaduan-layanan/');
    await expectHeading(page, 'Keluhan, saran, dan masukan');
    await page.getByRole('main').getByRole('link', { name: 'formulir daring' }).click();
    assert.equal(new URL(page.url()).pathname, PENGADUAN_LAYANAN);
    await expectHeading(page, 'Formulir keluhan, saran, dan masukan');

    const form = page.getByRole('form', { name: 'Formulir keluhan, saran, dan masukan' });
    await fillByLabels(form, PENGADUAN_LABELS, values);
    await form.getByLabel('Lampiran (opsional)').setInputFiles(ktp);
    // The citizen asks that their identity be kept confidential (issue 28).
    await form.getByLabel(/Rahasiakan identitas saya/).check();
    await form.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).check();
    const response = await submit(page, 'Kirim');
    assert.equal(response.status(), 303);

    const ticket = await confirmation(page, 'PL');
    assert.match(await page.getByRole('main').innerText(), /Keluhan, saran, atau masukan ditanggapi paling lambat \S+, \d+ \S+ \d{4} \(3 hari kerja sejak diterima\)/);
    assert.deepEqual(problems, [], 'nothing went wrong in the browser');

    const path = findRecord(ticket);
    assert.ok(path, `the record of ${ticket} is stored`);
    const record = readRecord(path);
    assert.equal(record.kind, 'pengaduan-layanan');
    assert.deepEqual(record.fields, { ...values, rahasia: 'ya', persetujuan: 'ya' });
    assert.equal(record.confidential.by, 'pemohon');
    assert.equal(record.normalized.kontak, '+6285712345678');
    assert.equal(record.attachments.length, 1);
    const [a] = record.attachments;
    assert.equal(a.field, 'lampiran');
    assert.equal(a.original_name, ktp.name);
    expectStored(path, a, ktp);
  } finally {
    await context.close();
  }
}

async function expectHeading(page, name) {
  const h1 = page.getByRole('heading', { level: 1 });
  assert.equal((await h1.innerText()).trim(), name);
}

/** Checks the confirmation page and returns its ticket. */
async function confirmation(page, prefix) {
  const address = new URL(page.url());
  assert.equal(address.pathname, '/terkirim/');
  const ticket = address.searchParams.get('tiket');
  assert.match(ticket, new RegExp(`^${prefix}-\\d{8}-[CDFHJKMNPRTVWXY34679]{4}$`));
  assert.deepEqual([...address.searchParams.keys()], ['tiket'], 'the URL carries the ticket and nothing else');
  assert.equal((await page.locator('.ticket-number').innerText()).trim(), ticket);
  // One screenshot on a small phone holds both the ticket and its date.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const selector of ['.ticket-number', '.ticket .due time']) {
    const box = await page.locator(selector).boundingBox();
    assert.ok(box && box.y + box.height <= 740, `${selector} is in the first screen at 360 × 740 (${JSON.stringify(box)})`);
  }
  // Printed, the receipt is one A4 page.
  const pdf = await page.pdf({ format: 'A4', printBackground: false });
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
  assert.equal(pages.length, 1, 'the printed receipt is one page');
  return ticket;
}

describe('permohonan: home page to stored record', () => {
  test('with JavaScript', () => permohonanJourney(true));
  test('with JavaScript disabled', () => permohonanJourney(false));
});

describe('pengaduan layanan: home page to stored record', () => {
  test('with JavaScript', () => pengaduanJourney(true));
  test('with JavaScript disabled', () => pengaduanJourney(false));
});
