// How long a citizen on a slow mobile link waits for the receipt after
// pressing "Kirim permohonan" with a 12 MP camera photo (3.6 MB) as the KTP:
// with JavaScript off (the original goes, as before static/js/foto.js) and
// on (the photo is made small in the browser first). Chromium with the
// network emulated through CDP (Network.emulateNetworkConditions) and, by
// default, its CPU slowed 4× (Lighthouse's mobile preset), since a cheap
// phone decodes a photo slower than this machine.
//
// "after": the photo is chosen last, just before the button is pressed, so
// the time includes all of the work in the browser; "first": chosen before
// the rest of the form is filled in, as a citizen would, so the work is done
// by the time the button is pressed.
//
// usage: node bench/upload-3g.mjs [LOKET_BINARY]   (default target/release/loket)
//        env: ROUNDS (default 3), UP_KBIT (750), DOWN_KBIT (1600), RTT_MS (150),
//             CPU_SLOWDOWN (4), LOKET_CHROMIUM (/usr/bin/chromium)
// Needs e2e/node_modules (npm ci --prefix e2e) and ImageMagick's convert.

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cameraJpeg } from '../e2e/photo.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(join(repo, 'e2e', 'package.json'));
const { chromium } = require('playwright-core');

const binary = process.argv[2] || join(repo, 'target', 'release', 'loket');
const env = (name, value) => Number(process.env[name] || value);
const ROUNDS = env('ROUNDS', 3);
const NET = { up: env('UP_KBIT', 750), down: env('DOWN_KBIT', 1600), rtt: env('RTT_MS', 150) };
const CPU = env('CPU_SLOWDOWN', 4);

// The fixture site with loket's templates and assets, as the tests serve it.
const work = mkdtempSync(join(tmpdir(), 'loket-upload-3g-'));
const site = join(work, 'site');
for (const part of ['content', 'forms', 'hari-libur', 'site.yaml']) {
  cpSync(join(repo, 'tests', 'fixtures', 'site', part), join(site, part), { recursive: true });
}
for (const part of ['templates', 'static']) cpSync(join(repo, part), join(site, part), { recursive: true });

const server = spawn(
  binary,
  ['serve', '--root', site, '--addr', '127.0.0.1:0', '--data', join(work, 'data'), '--desk-addr', 'off', '--rate-limit', '0'],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
const base = await new Promise((resolve, reject) => {
  let said = '';
  server.stderr.on('data', (chunk) => {
    said += chunk;
    const m = /Listening on (http:\/\/[0-9.:]+)/.exec(said);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`loket serve ended (${code}): ${said}`)));
});

// The form's labels and values, from the browser tests' helpers.
Object.assign(process.env, { LOKET_URL: base, LOKET_DATA: join(work, 'data'), LOKET_PUBLIC: join(site, 'public'), LOKET_SCREENSHOTS: work });
const { PERMOHONAN_LABELS, PERMOHONAN_VALUES, fillByLabels } = await import('../e2e/lib.mjs');

const photo = cameraJpeg();
const browser = await chromium.launch({
  executablePath: process.env.LOKET_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update'],
});

/** Seconds from pressing the button to the receipt, one round. */
async function round(javaScriptEnabled, n, photoFirst = false) {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 360, height: 800 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: NET.rtt,
      downloadThroughput: (NET.down * 1000) / 8,
      uploadThroughput: (NET.up * 1000) / 8,
    });
    if (CPU > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU });
    page.setDefaultTimeout(300_000); // The upload before takes about a minute.
    await page.goto(`${base}/permohonan/`);
    const choose = () => page.getByLabel('Foto KTP (pengganti fotokopi KTP) (wajib)').setInputFiles(photo);
    if (photoFirst) await choose();
    await page.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).check();
    const uraian = `${PERMOHONAN_VALUES.uraian}\n(Pengukuran ${javaScriptEnabled ? 'dengan' : 'tanpa'} JavaScript, putaran ${n}.)`;
    await fillByLabels(page, PERMOHONAN_LABELS, { ...PERMOHONAN_VALUES, uraian });
    await page.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).check();
    if (!photoFirst) await choose();
    let posted = 0;
    let sending = 0;
    page.on('request', async (r) => {
      if (r.method() !== 'POST') return;
      sending = performance.now();
      posted = Number((await r.allHeaders())['content-length']);
    });
    const started = performance.now();
    await Promise.all([
      page.waitForURL(/\/terkirim\//, { waitUntil: 'load', timeout: 300_000 }),
      page.getByRole('button', { name: 'Kirim permohonan', exact: true }).click(),
    ]);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, posted, browser: (sending - started) / 1000 };
  } finally {
    await context.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { before: [], after: [], first: [] };
try {
  for (let n = 1; n <= ROUNDS; n++) {
    for (const [name, js, photoFirst] of [['before', false], ['after', true], ['first', true, true]]) {
      const r = await round(js, n, photoFirst);
      results[name].push(r);
      console.log(`round ${n} ${name.padEnd(6)} ${r.seconds.toFixed(2)} s (${r.browser.toFixed(2)} s before the POST left), ${r.posted} bytes posted`);
    }
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

const m = (name, key) => median(results[name].map((r) => r[key]));
console.log(`\nphoto ${photo.buffer.length} bytes; uplink ${NET.up} kbit/s, downlink ${NET.down} kbit/s, RTT ${NET.rtt} ms, CPU ${CPU}× slower; medians of ${ROUNDS}`);
console.log('| | JavaScript off (before) | on, photo chosen last (after) | on, photo chosen first |');
console.log('| --- | --- | --- | --- |');
console.log(`| bytes posted | ${m('before', 'posted')} | ${m('after', 'posted')} | ${m('first', 'posted')} |`);
console.log(`| "Kirim" → receipt | ${m('before', 'seconds').toFixed(1)} s | ${m('after', 'seconds').toFixed(1)} s | ${m('first', 'seconds').toFixed(1)} s |`);
console.log(`| of which before the POST left | ${m('before', 'browser').toFixed(1)} s | ${m('after', 'browser').toFixed(1)} s | ${m('first', 'browser').toFixed(1)} s |`);
const speedup = (name) => (m('before', 'seconds') / m(name, 'seconds')).toFixed(1);
console.log(`| faster than before | | ${speedup('after')}× | ${speedup('first')}× |`);
