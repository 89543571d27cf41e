// axe-core in Chromium on every page a citizen can see (each built page, the
// 404 page, each form's error state, the confirmation pages, a status page),
// at phone and laptop width. Every violation is printed with its rule, impact
// and elements; the test fails on any of serious or critical impact.
//
// axe is injected as an inline script, which the site's CSP forbids: these
// contexts (and only these) bypass the CSP.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

import { VIEWPORTS, siteStates, useBrowser } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_VERSION = require('axe-core/package.json').version;

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAIL_ON = new Set(['serious', 'critical']);

const summary = [];

const session = useBrowser({
  report: () => {
    console.log(`\naxe-core ${AXE_VERSION} (${TAGS.join(', ')}):`);
    for (const line of summary) console.log(`  ${line}`);
  },
});

async function runAxe(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] }),
    TAGS,
  );
}

function describeViolation(v) {
  const lines = [`[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`];
  for (const node of v.nodes) {
    lines.push(`    at ${node.target.join(' ')}`);
    lines.push(`       ${node.html.replace(/\s+/g, ' ').slice(0, 200)}`);
    if (node.failureSummary) lines.push(`       ${node.failureSummary.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  return lines.join('\n');
}

test('axe finds violations when there are some', async () => {
  const context = await session.browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    await siteStates()[0].open(page);
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.src = '/favicon.svg';
      const input = document.createElement('input');
      input.type = 'text';
      document.querySelector('main').append(img, input);
    });
    const ids = (await runAxe(page)).violations.map((v) => v.id);
    assert.ok(ids.includes('image-alt') && ids.includes('label'), `axe reports the planted faults: ${ids}`);
  } finally {
    await context.close();
  }
});

for (const viewport of VIEWPORTS) {
  describe(`axe at ${viewport.width} px`, () => {
    for (const state of siteStates()) {
      test(state.path, async () => {
        const context = await session.browser.newContext({ viewport, bypassCSP: true });
        try {
          const page = await context.newPage();
          await state.open(page);
          const results = await runAxe(page);
          const violations = results.violations;
          for (const v of violations) console.log(`${state.path} at ${viewport.width} px: ${describeViolation(v)}`);
          const failing = violations.filter((v) => FAIL_ON.has(v.impact));
          summary.push(
            `${viewport.width} px ${state.path}: ${violations.length} violation(s)` +
              (violations.length ? ` (${violations.map((v) => `${v.id}/${v.impact}`).join(', ')})` : '') +
              `, ${results.passes.length} rules passed` +
              (results.incomplete.length ? `, to review by hand: ${results.incomplete.map((v) => v.id).join(', ')}` : ''),
          );
          assert.equal(
            failing.length,
            0,
            `serious or critical violations on ${state.path}:\n${failing.map(describeViolation).join('\n')}`,
          );
        } finally {
          await context.close();
        }
      });
    }
  });
}
