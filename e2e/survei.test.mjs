// The Survei Kepuasan Masyarakat on a 360 px phone (issue 29), with and
// without JavaScript: a permohonan is sent and rejected on the desk; the
// citizen opens /cek-status/, follows the survey link, rates the service,
// fills part of the profile and a suggestion, and gets the thank-you page;
// the link then says the survey was answered. (The axe, keyboard and
// screenshot states of these pages are in lib.mjs's siteStates.)

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { DATA, lookUpClosedCase, submit, url, useBrowser } from './lib.mjs';

const session = useBrowser();

const PHONE = { width: 360, height: 800 };

function answers() {
  const dir = join(DATA, 'survei', 'jawaban');
  return readdirSync(dir).filter((n) => n.endsWith('.yaml')).map((n) => readFileSync(join(dir, n), 'utf8'));
}

for (const javaScriptEnabled of [false, true]) {
  test(`a citizen answers the survey at 360 px ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
    const context = await session.browser.newContext({ javaScriptEnabled, viewport: PHONE });
    try {
      const page = await context.newPage();
      const link = await lookUpClosedCase(page);
      const token = link.split('=')[1];
      await page.getByRole('link', { name: 'Isi survei kepuasan' }).click();
      await page.waitForLoadState('load');
      assert.equal(new URL(page.url()).pathname, '/survei/');
      await page.getByRole('heading', { level: 1, name: 'Survei kepuasan masyarakat' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      assert.ok(overflow <= 0, `/survei/ is ${overflow} px wider than 360 px`);

      // Each question a group named by its question; four answers in it.
      const first = page.getByRole('group', { name: /kesesuaian persyaratan pelayanan/ });
      assert.equal(await first.getByRole('radio').count(), 4);
      await first.getByLabel('Sangat sesuai', { exact: true }).check();
      await page.getByRole('group', { name: /kecepatan waktu/ }).getByLabel('Cepat', { exact: true }).check();
      await page.getByRole('group', { name: /kewajaran biaya/ }).getByLabel('Gratis', { exact: true }).check();
      await page.getByRole('group', { name: /Pekerjaan utama/ }).getByLabel('Wirausaha/pelaku usaha').check();
      const suggestion = `Antrean sudah tertib (${javaScriptEnabled ? 'js' : 'tanpa js'}).`;
      await page.getByLabel(/Saran untuk perbaikan pelayanan/).fill(suggestion);
      const sent = await submit(page, 'Kirim jawaban');
      assert.equal(sent.status(), 303, 'the answer is stored');
      assert.equal(new URL(page.url()).pathname, '/survei/terima-kasih/');
      await page.getByText('Jawaban survei Anda sudah kami simpan.', { exact: false }).waitFor();

      const stored = answers().filter((a) => a.includes(suggestion));
      assert.equal(stored.length, 1, 'one answer holds the suggestion');
      assert.ok(!stored[0].includes(token), 'the answer holds no key');
      assert.match(stored[0], /occupation: wirausaha/);

      // The link now says it was answered, and takes no second answer.
      const again = await page.goto(url(link));
      assert.equal(again.status(), 200);
      await page.getByText('Anda sudah mengisi survei ini', { exact: false }).waitFor();
      assert.equal(await page.getByRole('radio').count(), 0);
    } finally {
      await context.close();
    }
  });
}
