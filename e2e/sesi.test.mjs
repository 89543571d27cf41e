// The desk's warning before a session ends (issue 27 §5, WCAG 2.2.1) in
// Chromium with JavaScript, on a fake clock: two minutes before the idle
// timeout a notice offers to extend the session, axe-core finds nothing
// serious with it shown, and "Perpanjang sesi" keeps the session going
// (POST /sesi/, 204) and hides it. Without JavaScript the page states the
// timeout and shows no notice.
//
// tests/browser/journeys.rs starts the desk and adds the account:
//   LOKET_DESK_URL, LOKET_DESK_USER, LOKET_DESK_PASSWORD

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { submit, useBrowser } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with \`cargo test --test browser\``);
  return value;
}

const desk = (path) => need('LOKET_DESK_URL').replace(/\/$/, '') + path;

async function signIn(page) {
  await page.goto(desk('/masuk/'));
  await page.getByLabel('Nama akun').fill(need('LOKET_DESK_USER'));
  await page.getByLabel('Kata sandi').fill(need('LOKET_DESK_PASSWORD'));
  return submit(page, 'Masuk');
}

const session = useBrowser();

test('the desk warns two minutes before the session ends and extends it', async () => {
  // bypassCSP: only so that axe-core can be injected.
  const context = await session.browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.clock.install();
    const signed = await signIn(page);
    assert.equal(signed.status(), 303);
    await page.getByRole('heading', { name: 'Kotak masuk', level: 1 }).waitFor();
    const notice = page.locator('#sesi-peringatan');
    assert.equal(await notice.isVisible(), false, 'no notice at first');
    assert.match(await page.locator('#sesi-batas').innerText(), /Sesi berakhir setelah 30 menit tanpa aktivitas/);

    // 28 minutes idle: the notice, announced.
    await page.clock.runFor('28:01');
    await notice.waitFor({ state: 'visible' });
    assert.equal(await notice.getAttribute('role'), 'alert');
    assert.match(await notice.innerText(), /Sesi Anda akan berakhir dalam 2 menit/);
    await page.addScriptTag({ content: AXE_SOURCE });
    const results = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
      TAGS,
    );
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.equal(bad.length, 0, bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; '));

    // Extended: the server answers 204 and the notice goes.
    const [extended] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/sesi/')),
      page.getByRole('button', { name: 'Perpanjang sesi' }).click(),
    ]);
    assert.equal(extended.status(), 204);
    await notice.waitFor({ state: 'hidden' });
    // The session is still there.
    const inbox = await page.goto(desk('/'));
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(inbox.status(), 200);
  } finally {
    await context.close();
  }
});

test('without JavaScript the desk states the timeout and shows no notice', async () => {
  const context = await session.browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    assert.equal((await signIn(page)).status(), 303);
    assert.match(await page.locator('#sesi-batas').innerText(), /Sesi berakhir setelah 30 menit/);
    assert.equal(await page.locator('#sesi-peringatan').isVisible(), false);
  } finally {
    await context.close();
  }
});
