// A form never loses what the citizen typed or chose, on a phone (360 px),
// with and without JavaScript: a KTP chosen next to a mistake is kept on the
// server and named on the form sent back, and the corrected form is accepted
// without choosing the file again (the stored KTP is the chosen one, byte for
// byte); a photo over the limit brings the form back with everything typed
// and the error at the file, and a smaller file is then enough.
// (Screenshots and axe of these states: siteStates() in lib.mjs.)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  PERMOHONAN_LABELS,
  PERMOHONAN_VALUES,
  WRONG_NIK,
  expectStored,
  cameraPhoto,
  findRecord,
  ktpJpeg,
  readRecord,
  sendPermohonan,
  submit,
  useBrowser,
} from './lib.mjs';

let ktp;

const session = useBrowser({
  ready: async (browser) => {
    ktp = await ktpJpeg(browser);
  },
});

const PHONE = { width: 360, height: 800 };

/** Each test its own submission (an identical resend gets the first one's ticket). */
function valuesFor(what, javaScriptEnabled) {
  const how = javaScriptEnabled ? 'dengan' : 'tanpa';
  return { ...PERMOHONAN_VALUES, uraian: `${PERMOHONAN_VALUES.uraian}\n(Uji ${what}, ${how} JavaScript.)` };
}

/** Every text field shows what was typed. */
async function expectKept(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = page.getByLabel(PERMOHONAN_LABELS[name], { exact: true });
    assert.equal(await field.inputValue(), value, `${name} keeps what was typed`);
  }
  assert.ok(await page.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).isChecked(), 'the choice is kept');
  assert.ok(await page.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).isChecked(), 'the consent is kept');
}

/** The record of the ticket on the confirmation page now shown. */
function recordShown(page) {
  const ticket = new URL(page.url()).searchParams.get('tiket');
  assert.match(ticket ?? '', /^KP-\d{8}-[CDFHJKMNPRTVWXY34679]{4}$/, `a ticket in ${page.url()}`);
  const path = findRecord(ticket);
  assert.ok(path, `the record of ${ticket} is stored`);
  return { path, record: readRecord(path) };
}

/** The KTP attachment of a record is `chosen`, as the server keeps it. */
function expectStoredKtp({ path, record }, chosen) {
  const files = record.attachments.filter((a) => a.field === 'ktp');
  assert.equal(files.length, 1, JSON.stringify(record.attachments));
  const [a] = files;
  assert.equal(a.original_name, chosen.name);
  expectStored(path, a, chosen);
}

async function keptKtp(javaScriptEnabled) {
  const context = await session.browser.newContext({ javaScriptEnabled, viewport: PHONE });
  try {
    const page = await context.newPage();
    const values = valuesFor('KTP tersimpan', javaScriptEnabled);
    const first = await sendPermohonan(page, { changes: { ...values, ...WRONG_NIK }, ktp });
    assert.equal(first.status(), 422);
    await expectKept(page, { ...values, ...WRONG_NIK });
    const held = page.locator('#f-ktp-held');
    assert.ok(await held.isVisible(), 'the chosen KTP is named');
    assert.match(await held.innerText(), /^foto ktp\.jpg \(\d+ KB\) sudah terunggah — pilih berkas lain untuk mengganti\.$/);
    const links = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(links, ['#f-nik'], 'only the NIK is wrong');

    // Fix the NIK, send without choosing the file again.
    await page.getByLabel(PERMOHONAN_LABELS.nik, { exact: true }).fill(values.nik);
    const second = await submit(page, 'Kirim permohonan');
    assert.equal(second.status(), 303, 'accepted');
    assert.equal(new URL(page.url()).pathname, '/terkirim/');
    expectStoredKtp(recordShown(page), ktp);
  } finally {
    await context.close();
  }
}

async function photoTooLarge(javaScriptEnabled) {
  const context = await session.browser.newContext({ javaScriptEnabled, viewport: PHONE });
  try {
    const page = await context.newPage();
    const values = valuesFor('berkas terlalu besar', javaScriptEnabled);
    // Before choosing: the form says a camera photo is often too large.
    const response = await sendPermohonan(page, { changes: values, ktp: cameraPhoto() });
    assert.equal(response.status(), 422, 'the form comes back, not an error page');
    await expectKept(page, values);
    const message = 'Ukuran berkas foto KTP 6,2 MB; paling besar 5 MB.';
    const summary = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
    assert.equal(summary.length, 1, JSON.stringify(summary));
    assert.equal(summary[0][0], '#f-ktp');
    assert.ok(summary[0][1].startsWith(message), summary[0][1]);
    assert.ok((await page.locator('#f-ktp-error').innerText()).includes(message));
    assert.match(await page.locator('#f-ktp-hint').innerText(), /Foto dari kamera HP sering lebih besar/);

    // A smaller file is all that is needed now.
    await page.getByLabel('Foto KTP (pengganti fotokopi KTP) (wajib)').setInputFiles(ktp);
    const again = await submit(page, 'Kirim permohonan');
    assert.equal(again.status(), 303, 'accepted');
    expectStoredKtp(recordShown(page), ktp);
  } finally {
    await context.close();
  }
}

describe('nothing typed or chosen is lost, at 360 px', () => {
  for (const javaScriptEnabled of [true, false]) {
    const how = javaScriptEnabled ? 'with JavaScript' : 'with JavaScript disabled';
    test(`a KTP next to a wrong NIK is kept, ${how}`, () => keptKtp(javaScriptEnabled));
    test(`a photo over the limit keeps what was typed, ${how}`, () => photoTooLarge(javaScriptEnabled));
  }
});
