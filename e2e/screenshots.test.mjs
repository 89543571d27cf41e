// Full-page screenshots at 360 px and 1280 px of every page a citizen can
// see (each built page, 404, both forms empty and in their error state, the
// confirmation pages, a status page), written to LOKET_SCREENSHOTS
// (screenshots/ in the repository, not committed) as WIDTH-NAME.png, for
// people to look at after a run. Each page must also fit its width: no
// sideways scrolling (WCAG 1.4.10 reflow), and a ticket number is not broken
// across lines.

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { VIEWPORTS, screenshotsDir, siteStates, useBrowser } from './lib.mjs';

const written = [];

const session = useBrowser({
  report: () => {
    console.log(`\n${written.length} screenshots in ${screenshotsDir()}`);
  },
});

for (const viewport of VIEWPORTS) {
  describe(`screenshots at ${viewport.width} px`, () => {
    for (const state of siteStates()) {
      test(`${state.path} -> ${viewport.width}-${state.name}.png`, async () => {
        const context = await session.browser.newContext({ viewport });
        try {
          const page = await context.newPage();
          await state.open(page);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
          assert.ok(overflow <= 0, `${state.path} is ${overflow} px wider than ${viewport.width} px: it scrolls sideways`);
          // A ticket number is read out over the phone: it stays on one line.
          const ticketLines = await page.evaluate(() => {
            const t = document.querySelector('.ticket strong');
            if (!t) return 1;
            const range = document.createRange();
            range.selectNodeContents(t);
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
          });
          assert.equal(ticketLines, 1, 'the ticket number is on one line');
          const path = join(screenshotsDir(), `${viewport.width}-${state.name}.png`);
          await page.screenshot({ path, fullPage: true });
          assert.ok(statSync(path).size > 5000, `${path} holds a picture`);
          written.push(path);
        } finally {
          await context.close();
        }
      });
    }
  });
}
