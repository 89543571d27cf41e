// A citizen sends what staff asked for (issue 27), on a 360 px phone without
// JavaScript: a permohonan is sent, a staff member finds its files
// incomplete on the desk and writes what is missing; the citizen opens
// /cek-status/ with the ticket and access code, reads the staff's words,
// uploads a KTP photo with a short reply, and gets the confirmation. The
// record then lists the new file (sent by the citizen) and the reply in its
// history. (The axe and screenshot states of these pages are in lib.mjs's
// siteStates.)

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ASKED,
  accessCodeOn,
  askForMissing,
  expectStored,
  findRecord,
  ktpJpeg,
  lookUp,
  readRecord,
  sendPermohonan,
  submit,
  useBrowser,
} from './lib.mjs';

const session = useBrowser();

const PHONE = { width: 360, height: 800 };
const REPLY = 'Ini foto KTP saya yang baru, semoga sudah jelas.';

test('a citizen uploads the missing KTP from /cek-status/ at 360 px without JavaScript', async () => {
  const context = await session.browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
  try {
    const page = await context.newPage();
    const ktp = await ktpJpeg(session.browser);
    const sent = await sendPermohonan(page, { changes: { uraian: 'Mohon fasilitasi (uji kekurangan berkas).' }, ktp });
    assert.equal(sent.status(), 303);
    const ticket = new URL(page.url()).searchParams.get('tiket');
    const code = await accessCodeOn(page);
    assert.ok(code, 'the receipt shows the access code');

    await askForMissing(session.browser, ticket);

    const found = await lookUp(page, ticket, code);
    assert.equal(found.status(), 200);
    await page.getByText('Menunggu kelengkapan berkas dari Anda', { exact: true }).waitFor();
    const asked = page.getByRole('region', { name: 'Yang perlu Anda lengkapi' });
    assert.ok(await asked.getByText(ASKED, { exact: true }).isVisible(), "the staff's words are shown");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 0, `/cek-status/ is ${overflow} px wider than 360 px`);

    const form = page.getByRole('form', { name: 'Kirim kekurangannya' });
    await form.getByLabel('Foto KTP (pengganti fotokopi KTP)', { exact: true }).setInputFiles(ktp);
    await form.getByLabel('Balasan Anda (opsional)').fill(REPLY);
    const replied = await submit(page, 'Kirim kekurangan');
    assert.equal(replied.status(), 200);
    await page.getByText('Balasan dan 1 berkas Anda sudah kami terima dan diteruskan kepada petugas.').waitFor();

    // On the case: the photo (re-encoded), sent by the citizen; the reply in the history.
    const path = findRecord(ticket);
    const record = readRecord(path);
    assert.equal(record.status, 'menunggu-kelengkapan', 'the case still waits until staff check again');
    assert.equal(record.attachments.length, 2, 'the KTP sent with the form and the one sent now');
    const added = record.attachments[1];
    assert.equal(added.stored_name, 'balasan-ktp-1.jpg');
    assert.equal(added.added_by, 'pemohon');
    expectStored(path, added, ktp);
    const last = record.history.at(-1);
    assert.equal(last.by, 'pemohon');
    assert.equal(last.status, 'menunggu-kelengkapan');
    assert.equal(last.added.from, 'pemohon');
    assert.equal(last.added.reply, REPLY);
    assert.deepEqual(last.added.files, ['balasan-ktp-1.jpg']);
  } finally {
    await context.close();
  }
});
