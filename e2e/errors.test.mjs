// A form sent with missing and wrong fields, in Chromium with and without
// JavaScript: the error summary is shown and has focus, each of its links
// takes focus to its field (with the field's label and message in view), and
// what was typed is still there.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  PENGADUAN_INVALID,
  PENGADUAN_LABELS,
  PENGADUAN_LAYANAN,
  PERMOHONAN,
  PERMOHONAN_INVALID,
  PERMOHONAN_LABELS,
  VIEWPORTS,
  autofocusApplied,
  fillByLabels,
  ktpJpeg,
  submit,
  url,
  useBrowser,
} from './lib.mjs';

let ktp;

const session = useBrowser({
  ready: async (browser) => {
    ktp = await ktpJpeg(browser);
  },
});

/** What the page shows about its focus and its error summary. */
function focusState(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return {
      id: el?.id ?? '',
      className: el?.className ?? '',
      tag: el?.tagName.toLowerCase() ?? '',
    };
  });
}

/** Waits up to a second for focus to reach #id (a fragment navigation is
 * asynchronous); returns the id focused then. Polls from here, so it works
 * with JavaScript disabled in the page too. */
async function focusSettles(page, id) {
  let now = '';
  for (let i = 0; i < 20; i++) {
    now = (await focusState(page)).id;
    if (now === id) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return now;
}

/** Whether an element is inside the viewport: wholly, or (`partly`) in part. */
function inView(locator, { partly = false } = {}) {
  return locator.evaluate((el, partly) => {
    const r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth)) return false;
    return partly ? r.bottom > 0 && r.top < innerHeight : r.top >= 0 && r.bottom <= innerHeight;
  }, partly);
}

/**
 * The error state checks shared by both forms. `expected` lists the fields
 * that must be in error, in form order; `kept` the values that must still be
 * in their fields.
 */
async function checkErrorState(page, response, { expected, kept, labels }) {
  assert.equal(response.status(), 422, 'a form with mistakes comes back as 422');
  assert.match(await page.title(), /^Kesalahan: /, 'the title says there are mistakes');

  // The summary is there, announced, and has focus (autofocus, no script).
  const summary = page.locator('.error-summary');
  assert.equal(await summary.count(), 1);
  assert.ok(await summary.isVisible());
  assert.equal(await summary.getAttribute('role'), 'alert');
  assert.equal((await page.getByRole('heading', { name: 'Ada yang perlu diperbaiki' }).count()), 1);
  await autofocusApplied(page);
  const focused = await focusState(page);
  assert.equal(focused.className, 'error-summary', `the error summary has focus, not ${JSON.stringify(focused)}`);
  assert.ok(await inView(summary.getByRole('heading'), { partly: true }), 'the error summary is in view');

  // One link per field in error, in form order.
  const links = summary.getByRole('link');
  const targets = await links.evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
  assert.deepEqual(
    targets.map((t) => t.href),
    expected.map((name) => `#f-${name}`),
    'the summary lists the fields in error, in form order',
  );

  // Each field in error is marked and described by its message, which the summary repeats.
  for (const { href, text } of targets) {
    const id = href.slice(1);
    const field = page.locator(`[id="${id}"]`);
    assert.equal(await field.getAttribute('aria-invalid'), 'true', `${id} is marked invalid`);
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    const name = id.slice(2);
    const container = page.locator(`.has-error:has([id="${id}"])`);
    const messageId = `f-${name}-error`;
    assert.equal(await container.count(), 1, `${id} is in a field marked as having an error`);
    const message = page.locator(`[id="${messageId}"]`);
    assert.equal((await message.innerText()).replace(/^Kesalahan:\s*/, '').trim(), text, `${id}'s message is the summary's`);
    if (await field.getAttribute('type') === 'radio') {
      // A radio group's message describes the group (its fieldset).
      assert.equal(await page.locator(`fieldset[aria-describedby~="${messageId}"]`).count(), 1);
    } else {
      assert.ok(describedBy.split(' ').includes(messageId), `${id} is described by its message (${describedBy})`);
    }
  }

  // Keyboard: Tab from the summary reaches its first link; Enter moves focus to the field.
  await page.keyboard.press('Tab');
  assert.equal((await focusState(page)).tag, 'a');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), targets[0].href);
  await page.keyboard.press('Enter');
  assert.equal(await focusSettles(page, targets[0].href.slice(1)), targets[0].href.slice(1), 'Enter on the first summary link focuses its field');

  // Mouse: every link moves focus to its field, with its label and message in view.
  for (const [i, { href }] of targets.entries()) {
    const id = href.slice(1);
    await links.nth(i).click();
    await focusSettles(page, id);
    const now = await focusState(page);
    assert.equal(now.id, id, `the summary link ${href} moves focus to #${id}, not ${JSON.stringify(now)}`);
    assert.equal(new URL(page.url()).hash, href);
    const field = page.locator(`[id="${id}"]`);
    assert.ok(await inView(field, { partly: true }), `#${id} is in view`);
    const isRadio = (await field.getAttribute('type')) === 'radio';
    const label = isRadio
      ? page.locator(`fieldset:has([id="${id}"]) > legend`)
      : page.locator(`label[for="${id}"]`);
    assert.ok(await inView(label), `the label of #${id} is in view after following the link`);
    assert.ok(await inView(page.locator(`[id="f-${id.slice(2)}-error"]`)), `the message of #${id} is in view`);
  }

  // What was typed is kept.
  for (const [name, value] of Object.entries(kept)) {
    const field = page.getByLabel(labels[name], { exact: true });
    assert.equal(await field.inputValue(), value, `${name} keeps what was typed`);
  }
}

/** The file input #id names the KTP chosen before as kept, and describes itself with that line. */
async function expectHeld(page, id) {
  const line = page.locator(`[id="${id}-held"]`);
  assert.ok(await line.isVisible(), `${id} names the file kept from the first round`);
  assert.match(await line.innerText(), /^foto ktp\.jpg \(\d+ KB\) sudah terunggah — pilih berkas lain untuk mengganti\.$/);
  const describedBy = (await page.locator(`[id="${id}"]`).getAttribute('aria-describedby')) ?? '';
  assert.ok(describedBy.split(' ').includes(`${id}-held`), `${id} is described by the kept-file line (${describedBy})`);
  assert.equal(await page.getByText('Silakan pilih ulang berkas Anda.').count(), 0, 'no file is asked for again');
}

async function permohonanErrors(javaScriptEnabled, viewport) {
  const context = await session.browser.newContext({ javaScriptEnabled, viewport });
  try {
    const page = await context.newPage();
    await page.goto(url(PERMOHONAN));
    await fillByLabels(page, PERMOHONAN_LABELS, PERMOHONAN_INVALID);
    await page.getByLabel('Foto KTP (pengganti fotokopi KTP) (wajib)').setInputFiles(ktp);
    const response = await submit(page, 'Kirim permohonan');
    await checkErrorState(page, response, {
      expected: ['jenis', 'nik', 'alamat', 'telepon', 'email', 'nama_usaha', 'alamat_usaha', 'uraian', 'persetujuan'],
      kept: PERMOHONAN_INVALID,
      labels: PERMOHONAN_LABELS,
    });
    // The KTP is kept on the server: the form names it instead of asking for it again.
    assert.equal(await page.getByLabel('Foto KTP (pengganti fotokopi KTP) (wajib)').inputValue(), '');
    await expectHeld(page, 'f-ktp');

    // A complaint without the party complained about: choice and consent are kept.
    await page.goto(url(PERMOHONAN));
    await page.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).check();
    await page.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).check();
    const again = await submit(page, 'Kirim permohonan');
    assert.equal(again.status(), 422);
    assert.ok(await page.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).isChecked(), 'the choice is kept');
    assert.ok(!(await page.getByLabel('Fasilitasi konsultasi').isChecked()));
    assert.ok(await page.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).isChecked(), 'the consent is kept');
    const hrefs = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.includes('#f-termohon_nama') && hrefs.includes('#f-termohon_kontak'), `termohon asked for: ${hrefs}`);
    assert.ok(!hrefs.includes('#f-jenis') && !hrefs.includes('#f-persetujuan'));
  } finally {
    await context.close();
  }
}

async function pengaduanErrors(javaScriptEnabled, viewport) {
  const context = await session.browser.newContext({ javaScriptEnabled, viewport });
  try {
    const page = await context.newPage();
    await page.goto(url(PENGADUAN_LAYANAN));
    await fillByLabels(page, PENGADUAN_LABELS, PENGADUAN_INVALID);
    await page.getByLabel('Lampiran (opsional)').setInputFiles(ktp);
    const response = await submit(page, 'Kirim');
    await checkErrorState(page, response, {
      expected: ['kontak', 'isi', 'persetujuan'],
      kept: PENGADUAN_INVALID,
      labels: PENGADUAN_LABELS,
    });
    assert.equal(await page.getByLabel('Lampiran (opsional)').inputValue(), '');
    await expectHeld(page, 'f-lampiran');
  } finally {
    await context.close();
  }
}

for (const viewport of VIEWPORTS) {
  describe(`error state at ${viewport.width} px`, () => {
    test('permohonan, with JavaScript', () => permohonanErrors(true, viewport));
    test('permohonan, with JavaScript disabled', () => permohonanErrors(false, viewport));
    test('pengaduan layanan, with JavaScript', () => pengaduanErrors(true, viewport));
    test('pengaduan layanan, with JavaScript disabled', () => pengaduanErrors(false, viewport));
  });
}
