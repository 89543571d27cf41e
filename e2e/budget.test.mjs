// Page budget: every page a citizen can see weighs at most 30 KB as
// transferred on a first visit (HTML, CSS, images, with response headers),
// and the browser asks no host but the server for anything.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HOST, siteStates, useBrowser } from './lib.mjs';

const BUDGET = 30 * 1024;

const table = [];

const session = useBrowser({
  report: () => {
    console.log(`\nPage weight on a first visit (budget ${BUDGET} bytes):`);
    for (const row of table) console.log(`  ${row}`);
  },
});

for (const state of siteStates()) {
  test(`${state.path}: at most 30 KB, nothing from other hosts`, async () => {
    const context = await session.browser.newContext({ viewport: { width: 360, height: 800 } });
    try {
      const page = await context.newPage();
      // Nothing from the cache: every page is weighed as a first visit.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });

      // The requests of the page shown last: a new top-level navigation
      // (not a redirect's next hop) starts a new list.
      let requests = [];
      const everyUrl = [];
      page.on('request', (r) => {
        everyUrl.push(r.url());
        if (r.isNavigationRequest() && r.frame() === page.mainFrame() && !r.redirectedFrom()) requests = [];
        requests.push(r);
      });

      await state.open(page);
      await page.waitForLoadState('networkidle');

      const rows = [];
      let total = 0;
      for (const r of requests) {
        const response = await r.response();
        if (!response) continue; // Failed: reported below.
        const sizes = await r.sizes();
        const bytes = sizes.responseBodySize + sizes.responseHeadersSize;
        total += bytes;
        const path = new URL(r.url()).pathname;
        rows.push(`${r.method()} ${path} ${response.status()} ${sizes.responseBodySize}+${sizes.responseHeadersSize}`);
      }
      table.push(`${String(total).padStart(6)}  ${state.path}  [${rows.join('; ')}]`);

      const foreign = everyUrl.filter((u) => new URL(u).host !== HOST);
      assert.deepEqual(foreign, [], 'no request to any host but the server');
      const failed = requests.filter((r) => r.failure()).map((r) => `${r.url()}: ${r.failure().errorText}`);
      assert.deepEqual(failed, [], 'no request of the page failed');
      assert.ok(
        // Its content-hashed URL (/css/site.3f9a1c0b2e.css).
        requests.some((r) => /^\/css\/site\.[0-9a-f]{10}\.css$/.test(new URL(r.url()).pathname)),
        `the stylesheet is counted: ${rows}`,
      );
      assert.ok(total <= BUDGET, `${state.path} weighs ${total} bytes, over the budget of ${BUDGET}: ${rows.join('; ')}`);
    } finally {
      await context.close();
    }
  });
}
