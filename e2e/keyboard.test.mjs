// Keyboard only: on every page a citizen can see, at phone and laptop width,
// Tab from the top of the page visits every control once, in the order they
// appear on screen, and the focused control always shows a focus indicator
// and is in view. The skip link leads into the main content.
// LOKET_DEBUG=1 prints each page's tab order.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { VIEWPORTS, autofocusApplied, siteStates, url, useBrowser } from './lib.mjs';

/** Enough for the longest page; a loop that never leaves the page fails. */
const MAX_TABS = 250;


const session = useBrowser();

/** The focused element: what it is, where it is, and how its focus shows. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const rects = [...el.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    const box = el.getBoundingClientRect();
    const doc = (r) => ({
      top: r.top + scrollY,
      bottom: r.bottom + scrollY,
      left: r.left + scrollX,
      right: r.right + scrollX,
      height: r.height,
    });
    const cs = getComputedStyle(el);
    const text = (el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return {
      desc: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : ''}${text ? ` "${text}"` : ''}`,
      first: doc(rects[0] ?? box),
      last: doc(rects.at(-1) ?? box),
      inView: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
      focusVisible: el.matches(':focus-visible'),
      outline: `${cs.outlineStyle} ${cs.outlineWidth}`,
      indicator: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none',
      skip: el.classList.contains('skip'),
      inMain: !!el.closest('main'),
      hidden: !!el.closest('[aria-hidden="true"]'),
    };
  });
}

/** How many controls the page has in its tab order (one per radio group). */
function tabbableCount(page) {
  return page.evaluate(() => {
    const groups = new Set();
    return [...document.querySelectorAll('a[href], button, input, textarea, select, [tabindex]')].filter((el) => {
      if (el.tabIndex < 0 || el.disabled || el.type === 'hidden') return false;
      if (!el.checkVisibility({ visibilityProperty: true })) return false;
      if (el.type === 'radio') {
        if (groups.has(el.name)) return false;
        groups.add(el.name);
      }
      return true;
    }).length;
  });
}

/** Rows overlap when they share at least half of the smaller height. */
function sameRow(a, b) {
  const overlap = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return overlap >= 0.5 * Math.min(a.height, b.height);
}

/** Whether `next` comes after `prev` on screen: further down, or on the same row to the right. */
function follows(prev, next) {
  const a = prev.last;
  const b = next.first;
  if (sameRow(a, b)) return b.left >= a.right - 2;
  return b.top > a.top;
}

async function tabThrough(page) {
  const seen = [];
  for (let i = 0; i < MAX_TABS; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (!now) break; // Past the last control: focus leaves the page.
    if (seen.length && now.desc === seen[0].desc && now.first.top === seen[0].first.top) break;
    seen.push(now);
  }
  assert.ok(seen.length < MAX_TABS, `Tab leaves the page within ${MAX_TABS} presses`);
  return seen;
}

for (const viewport of VIEWPORTS) {
  describe(`keyboard at ${viewport.width} px`, () => {
    for (const state of siteStates()) {
      test(`${state.path}: tab order follows the screen, focus always visible`, async () => {
        const context = await session.browser.newContext({ viewport });
        try {
          const page = await context.newPage();
          await state.open(page);
          // From the top of the page. (A form's error summary takes focus on
          // load; start from the top anyway: once the autofocus is applied,
          // or it would move focus after this, focus something at the start
          // of <body> and remove it, which leaves the starting point there.)
          await autofocusApplied(page);
          await page.evaluate(() => {
            const start = document.createElement('span');
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
            start.remove();
            window.scrollTo(0, 0);
          });
          const order = await tabThrough(page);
          const problems = [];
          if (process.env.LOKET_DEBUG) console.log(order.map((f) => `${f.desc} ${Math.round(f.first.top)},${Math.round(f.first.left)}`).join('\n'));
          assert.ok(order.length > 0, 'Tab reaches something');
          assert.ok(order[0].skip, `the first Tab reaches the skip link, not ${order[0].desc}`);
          for (const [i, f] of order.entries()) {
            if (!f.focusVisible) problems.push(`${f.desc}: not :focus-visible after Tab`);
            if (!f.indicator) problems.push(`${f.desc}: no focus indicator (outline ${f.outline}, no box-shadow)`);
            if (!f.inView) problems.push(`${f.desc}: focused but not in view`);
            if (f.hidden) problems.push(`${f.desc}: focusable inside aria-hidden`);
            const prev = order[i - 1];
            if (i >= 2 && !follows(prev, f)) {
              problems.push(
                `${f.desc} (top ${Math.round(f.first.top)}, left ${Math.round(f.first.left)}) comes after ${prev.desc} (top ${Math.round(prev.last.top)}, right ${Math.round(prev.last.right)}) in tab order but not on screen`,
              );
            }
          }
          const descs = order.map((f) => f.desc);
          const repeated = descs.filter((d, i) => descs.indexOf(d) !== i && !d.startsWith('a'));
          if (repeated.length) problems.push(`focused twice: ${repeated}`);
          const expected = await tabbableCount(page);
          if (order.length !== expected) {
            problems.push(`Tab visited ${order.length} controls, the page has ${expected}: ${descs.join(' | ')}`);
          }
          assert.deepEqual(problems, [], problems.join('\n'));
        } finally {
          await context.close();
        }
      });
    }

    test('the skip link leads into the main content', async () => {
      const context = await session.browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        await page.goto(url('/layanan/fasilitasi-usaha-mikro/'));
        await page.keyboard.press('Tab');
        const skip = await focused(page);
        assert.ok(skip.skip && skip.inView, `the skip link is focused and shown: ${JSON.stringify(skip)}`);
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        const next = await focused(page);
        assert.ok(next.inMain, `after the skip link, Tab goes into <main>, not to ${next.desc}`);
        assert.ok(next.inView);
      } finally {
        await context.close();
      }
    });
  });
}
