// Staff edit the site on the desk (issue 30) in Chromium: an editor (role
// penyunting) makes a page, writes its text, sees it in the preview rendered
// by the site's templates, publishes it, finds it on the public site, and
// undoes the change from the page's history, which the public site then
// shows. At 1366 and 360 px, each with JavaScript (the preview follows
// typing) and without (the Pratinjau button posts the form). Every desk
// page of the loop passes axe-core (WCAG 2.0–2.2 A/AA, serious or critical
// fails), does not scroll sideways, and is screenshot.
//
// tests/browser/journeys.rs adds the account:
//   LOKET_EDITOR_USER, LOKET_EDITOR_PASSWORD

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import { screenshotsDir, useBrowser } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with \`cargo test --test browser\``);
  return value;
}

const DESK = need('LOKET_DESK_URL').replace(/\/$/, '');
const SITE = need('LOKET_URL').replace(/\/$/, '');
const USER = need('LOKET_EDITOR_USER');
const PASSWORD = need('LOKET_EDITOR_PASSWORD');
const desk = (path) => DESK + path;

const session = useBrowser();

/** Clicks `button` and waits for the page the form's post answers with
 * (not for the live preview's own posts). */
async function post(page, button) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/** axe, no sideways scrolling, and a screenshot of the page as it is.
 * axe runs in the page; a page without JavaScript is copied, as it is, into
 * a page of the desk's origin with JavaScript on (`lens`) for axe. */
async function audit(page, name, width, lens) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  if (overflow > 0) {
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !(e.parentElement && e.parentElement.closest('.table-wrap')))
        .slice(0, 8)
        .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
    );
    console.log(`${name}: wider than the screen: ${wide.join('; ')}`);
  }
  assert.ok(overflow <= 0, `${name} is ${overflow} px wider than ${width} px`);
  const path = join(screenshotsDir(), `${width}-meja-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 5000, `${path} holds a picture`);
  const checked = lens ?? page;
  if (lens) {
    const html = await page.content();
    await lens.goto(desk('/masuk/'));
    await lens.setContent(html, { waitUntil: 'load' });
  }
  await checked.addScriptTag({ content: AXE_SOURCE });
  const results = await checked.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    TAGS,
  );
  for (const v of results.violations) {
    console.log(`${name} at ${width} px: [${v.impact}] ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(bad.length, 0, `${name} at ${width} px: ${bad.map((v) => v.id).join(', ')}`);
}

/** The public page's text, fetched fresh. */
async function publicText(url) {
  const response = await fetch(url, { cache: 'no-store' });
  assert.equal(response.status, 200, url);
  return response.text();
}

for (const { width, height, js } of [
  { width: 1366, height: 768, js: true },
  { width: 1366, height: 768, js: false },
  { width: 360, height: 800, js: true },
  { width: 360, height: 800, js: false },
]) {
  const script = js ? 'dengan-js' : 'tanpa-js';
  const mode = `${width}-${script}`;
  test(`an editor makes, previews, publishes and undoes a page at ${width} px ${js ? 'with' : 'without'} JavaScript`, async () => {
    const context = await session.browser.newContext({ viewport: { width, height }, javaScriptEnabled: js, bypassCSP: true });
    const lensContext = js ? undefined : await session.browser.newContext({ viewport: { width, height }, bypassCSP: true });
    try {
      const page = await context.newPage();
      const lens = await lensContext?.newPage();
      await page.goto(desk('/masuk/'));
      await page.getByLabel('Nama akun').fill(USER);
      await page.getByLabel('Kata sandi').fill(PASSWORD);
      assert.equal((await post(page, 'Masuk')).status(), 303);
      // The editor lands on the site's pages.
      assert.equal(new URL(page.url()).pathname, '/halaman/');
      await audit(page, `halaman-daftar-${script}`, width, lens);

      // A new page.
      await page.getByRole('link', { name: 'Halaman baru' }).click();
      await page.waitForLoadState('load');
      await audit(page, `halaman-baru-${script}`, width, lens);
      await page.getByLabel('Bagian situs (wajib)').selectOption({ index: 1 });
      const title = `Jam layanan uji ${mode}`;
      await page.getByLabel('Judul (wajib)').fill(title);
      assert.equal((await post(page, 'Buat halaman')).status(), 303);
      assert.match(new URL(page.url()).pathname, /^\/halaman\/content\/.+\.md$/);
      const editor = page.url();
      assert.equal(await page.getByLabel('Judul', { exact: true }).inputValue(), title, 'the title is a field');
      // The editor links the page's address on the office's domain; this
      // test's server answers for it.
      const shown = await page.getByRole('link', { name: /^https?:\/\// }).first().getAttribute('href');
      const address = SITE + new URL(shown).pathname;
      assert.ok(!(await publicText(address)).includes('pukul 08.00'), 'the new page has no text yet');

      // Its text, previewed by the site's templates.
      const words = `Kantor buka pukul 08.00 sampai 15.00 (${mode}).`;
      await page.getByLabel('Isi halaman (Markdown)').fill(`${words}\n`);
      if (!js) {
        assert.equal((await post(page, 'Pratinjau')).status(), 200);
      }
      const frame = page.frameLocator('#pratinjau-bingkai');
      await frame.getByText(words).waitFor({ timeout: 10_000 });
      assert.equal(await frame.locator('h1').first().textContent(), title, 'rendered by the site page template');
      await audit(page, `halaman-sunting-pratinjau-${script}`, width, lens);

      // Published: the public site has it.
      assert.equal((await post(page, 'Terbitkan')).status(), 303);
      await page.getByText(/Terbit sebagai versi \d+/).waitFor();
      assert.ok((await publicText(address)).includes(words), 'the public site shows the published text');
      await audit(page, `halaman-terbit-${script}`, width, lens);

      // Undone from the history: the first version (the new, empty page).
      await page.getByRole('link', { name: 'Riwayat versi' }).click();
      await page.waitForLoadState('load');
      await page.getByText('Ditambahkan', { exact: false }).first().waitFor();
      await audit(page, `halaman-riwayat-${script}`, width, lens);
      assert.equal((await post(page, 'Pulihkan versi 1')).status(), 303);
      assert.ok(!(await publicText(address)).includes(words), 'the public site no longer shows the text');
      await page.goto(editor);
      assert.ok(!(await page.getByLabel('Isi halaman (Markdown)').inputValue()).includes(words));
    } finally {
      await context.close();
      await lensContext?.close();
    }
  });
}
