// The staff desk (issue 17) in Chromium, without JavaScript: a staff member
// signs in, finds the citizen's new submission in the inbox, opens its KTP,
// moves the case to selesai and prints it on one A4 page. Then axe-core
// (WCAG 2.0–2.2 A/AA; serious or critical fails) and full-page screenshots
// at 360 and 1366 px of every desk page: sign-in (empty and wrong
// password), the inbox (all, filtered, nothing found), a case (new, a step
// sent back, changed by someone else), the print view, the report and an
// error page. No page may scroll sideways. And a walk-in case and a
// SP4N-LAPOR! case recorded on the desk (issue 27) at 1366 px, with the new
// case pages (the chooser, the form, a form sent back, a case recorded) in
// the axe and screenshot states. The satisfaction survey's pages (issue 29):
// a period's report with its chart and suggestions, a plan sent back, the
// walk-in code form and a code made with its QR. The inbox's order and deadline badges
// (overdue, due today, due tomorrow), and their filter, with an axe state.
//
// tests/browser/journeys.rs starts the desk with the server and adds the account:
//   LOKET_DESK_URL       http://127.0.0.1:PORT of the desk
//   LOKET_DESK_USER      the account's name
//   LOKET_DESK_PASSWORD  its password

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  DATA,
  PERMOHONAN_LABELS,
  PERMOHONAN_VALUES,
  fillByLabels,
  findRecord,
  ktpJpeg,
  readRecord,
  screenshotsDir,
  sendPermohonan,
  submit,
  useBrowser,
} from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with \`cargo test --test browser\``);
  return value;
}

const DESK = need('LOKET_DESK_URL').replace(/\/$/, '');
const USER = need('LOKET_DESK_USER');
const PASSWORD = need('LOKET_DESK_PASSWORD');
const desk = (path) => DESK + path;

/** The phone and the office PC. */
const VIEWPORTS = [
  { width: 360, height: 800 },
  { width: 1366, height: 768 },
];

let ktp;
/** Cookies of a signed-in staff member, for the contexts of the page states. */
let signedIn;
/** A case that stays new, for the case page's states. */
let fresh;

/** A citizen sends a permohonan with a KTP; its ticket. */
async function citizenSubmits(browser, uraian) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const response = await sendPermohonan(page, { changes: { uraian }, ktp });
    assert.equal(response.status(), 303);
    return new URL(page.url()).searchParams.get('tiket');
  } finally {
    await context.close();
  }
}

async function signIn(page, password = PASSWORD) {
  await page.goto(desk('/masuk/'));
  await page.getByLabel('Nama akun').fill(USER);
  await page.getByLabel('Kata sandi').fill(password);
  return submit(page, 'Masuk');
}

const session = useBrowser({
  ready: async (browser) => {
    ktp = await ktpJpeg(browser);
    fresh = await citizenSubmits(browser, 'Mohon konsultasi perizinan usaha (uji meja layanan).');
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await signIn(page);
    assert.equal(response.status(), 303, 'signed in for the page states');
    signedIn = await context.storageState();
    await context.close();
  },
});

test('a staff member signs in, finds the new submission, opens the KTP, closes the case and prints it', async () => {
  const ticket = await citizenSubmits(session.browser, 'Mohon konsultasi pemasaran produk (uji meja layanan).');
  const context = await session.browser.newContext({ javaScriptEnabled: false, viewport: VIEWPORTS[1] });
  try {
    const page = await context.newPage();
    const first = await page.goto(desk('/'));
    assert.equal(new URL(page.url()).pathname, '/masuk/', 'sent to sign in first');
    assert.equal(first.status(), 200);
    const wrong = await signIn(page, 'bukan kata sandinya');
    assert.equal(wrong.status(), 403);
    await page.getByText('Nama atau kata sandi salah').waitFor();
    const signed = await signIn(page);
    assert.equal(signed.status(), 303);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByRole('heading', { name: 'Kotak masuk', level: 1 }).waitFor();

    await page.getByLabel('Cari tiket, nama, NIK, nomor HP, atau kata dalam uraian').fill(ticket);
    await Promise.all([page.waitForURL('**/?cari=*'), page.getByRole('button', { name: 'Terapkan' }).click()]);
    await page.getByText('1 kasus:').waitFor();
    await Promise.all([page.waitForURL(`**/kasus/${ticket}/`), page.getByRole('link', { name: ticket }).click()]);
    await page.getByRole('heading', { name: `Kasus ${ticket}` }).waitFor();
    assert.ok(await page.getByText('Mohon konsultasi pemasaran produk').isVisible());

    // The KTP: shown on the page, and opened whole.
    const image = page.getByRole('img', { name: /KTP.* yang dikirim pemohon/ });
    assert.ok(await image.isVisible(), 'the KTP is shown');
    const [ktpResponse] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/lampiran/ktp.jpg')),
      page.getByRole('link', { name: /Buka gambar .*ukuran penuh/ }).click(),
    ]);
    assert.equal(ktpResponse.status(), 200);
    assert.equal(ktpResponse.headers()['content-type'], 'image/jpeg');
    assert.equal(ktpResponse.headers()['cache-control'], 'no-store');
    const stored = readFileSync(join(findRecord(ticket).replace(/\.yaml$/, ''), 'ktp.jpg'));
    assert.ok(Buffer.compare(await ktpResponse.body(), stored) === 0, 'the stored KTP, byte for byte');
    await page.goBack();

    // Berkas lengkap, then selesai with the result.
    await submit(page, 'Berkas lengkap');
    await page.getByText('Status kasus ini sekarang: Diperiksa.').waitFor();
    const selesai = page.getByRole('region', { name: 'Selesai', exact: true });
    await selesai.getByLabel('Ringkasan hasil layanan (wajib)').fill('Konsultasi pemasaran diberikan; pemohon diarahkan ke pameran UMKM.');
    await Promise.all([
      page.waitForURL('**?diubah=selesai'),
      selesai.getByRole('button', { name: 'Tandai selesai' }).click(),
    ]);
    await page.getByText('Status kasus ini sekarang: Selesai.').waitFor();
    const record = readRecord(findRecord(ticket));
    assert.equal(record.status, 'selesai');
    assert.equal(record.result, 'Konsultasi pemasaran diberikan; pemohon diarahkan ke pameran UMKM.');
    assert.deepEqual(record.history.map((h) => [h.status, h.by]), [['diperiksa', USER], ['selesai', USER]]);

    // The laporan hasil: one A4 page (every document: dokumen.test.mjs).
    await Promise.all([page.waitForURL('**/dokumen/laporan-hasil/'), page.getByRole('link', { name: 'Dokumentasi dan laporan hasil', exact: true }).click()]);
    await page.getByRole('heading', { name: 'Dokumentasi dan Laporan Hasil Pelayanan' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(screenshotsDir(), 'meja-cetak-a4.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    writeFileSync(join(screenshotsDir(), 'meja-cetak.pdf'), pdf);
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) || []).length;
    assert.equal(pages, 1, `the case prints on one A4 page, not ${pages}`);
  } finally {
    await context.close();
  }
});

/** The desk's new case form for the permohonan filled in as staff would:
 * the channel, the form's fields (`uraian` apart, so that each case is its
 * own), the consent and the scanned KTP. */
async function fillNewCase(page, channel, uraian) {
  await page.goto(desk('/kasus-baru/permohonan/'));
  await page.getByLabel('Saluran (wajib)').selectOption(channel);
  await page.getByLabel('Fasilitasi pengaduan masalah usaha mikro', { exact: true }).check();
  await fillByLabels(page, PERMOHONAN_LABELS, { ...PERMOHONAN_VALUES, uraian });
  await page.getByLabel('Foto KTP (pengganti fotokopi KTP) (wajib)').setInputFiles(ktp);
  await page.getByLabel(/Saya sudah membaca pemberitahuan pelindungan data pribadi/).check();
}

/** The ticket of the case a "Kasus tercatat" page links to. */
async function recordedTicket(page) {
  await page.getByRole('heading', { name: 'Kasus tercatat', level: 1 }).waitFor();
  const link = await page.getByRole('link', { name: /^Buka kasus / }).innerText();
  return link.replace('Buka kasus ', '').trim();
}

test('a staff member records a walk-in case and a SP4N-LAPOR! case at 1366 px', async () => {
  const context = await session.browser.newContext({ javaScriptEnabled: false, viewport: VIEWPORTS[1], storageState: signedIn });
  try {
    const page = await context.newPage();
    await page.goto(desk('/'));
    await Promise.all([page.waitForURL('**/kasus-baru/'), page.getByRole('link', { name: 'Kasus baru', exact: true }).click()]);
    await Promise.all([
      page.waitForURL('**/kasus-baru/permohonan/'),
      page.getByRole('link', { name: 'Konsultasi dan pengaduan masalah usaha' }).click(),
    ]);

    // At the counter: recorded at once, the code shown to read out.
    await fillNewCase(page, 'langsung', 'Datang langsung: mohon fasilitasi (uji meja layanan).');
    const walkIn = await submit(page, 'Catat kasus');
    assert.equal(walkIn.status(), 200);
    const ticket = await recordedTicket(page);
    assert.ok((await page.locator('strong.code').innerText()).trim().length >= 6, 'the access code is shown');
    const record = readRecord(findRecord(ticket));
    assert.equal(record.channel, 'langsung');
    assert.deepEqual(record.history.map((h) => [h.status, h.by, h.channel]), [['baru', USER, 'langsung']]);

    // From SP4N-LAPOR!: its tracking number is asked for, nothing typed is lost.
    await fillNewCase(page, 'lapor', 'Dari SP4N-LAPOR!: mohon fasilitasi (uji meja layanan).');
    const back = await submit(page, 'Catat kasus');
    assert.equal(back.status(), 422);
    await page.getByRole('link', { name: 'Isi nomor pelacakan SP4N-LAPOR! untuk kasus dari SP4N-LAPOR!.' }).waitFor();
    assert.equal(await page.getByLabel('Nama lengkap (wajib)', { exact: true }).inputValue(), PERMOHONAN_VALUES.nama);
    assert.equal(await page.getByLabel('Saluran (wajib)').inputValue(), 'lapor');
    await page.getByText('sudah terunggah').waitFor();
    await page.getByLabel('Nomor pelacakan SP4N-LAPOR! (wajib untuk SP4N-LAPOR!)').fill('LAP-7788');
    const lapor = await submit(page, 'Catat kasus');
    assert.equal(lapor.status(), 200);
    const laporTicket = await recordedTicket(page);
    const laporRecord = readRecord(findRecord(laporTicket));
    assert.equal(laporRecord.channel, 'lapor');
    assert.equal(laporRecord.lapor_number, 'LAP-7788');

    // The inbox at 1366 x 768: at least 8 cases fit above the fold (the
    // rows are one line each; fewer than 8 cases exist here).
    await page.goto(desk('/'));
    const rows = page.locator('table.inbox tbody tr');
    const first = await rows.first().boundingBox();
    const rowHeight = Math.max(...(await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height))));
    assert.ok(first.y + 8 * rowHeight <= 768, `8 rows of ${rowHeight} px from ${first.y} px fit in 768 px`);

    // The inbox, filtered by channel (the filters other than the search fold).
    await page.getByText('Saringan lain').click();
    await page.getByLabel('Saluran', { exact: true }).selectOption('lapor');
    await Promise.all([page.waitForURL('**/?*saluran=lapor*'), page.getByRole('button', { name: 'Terapkan' }).click()]);
    await page.getByRole('link', { name: laporTicket }).waitFor();
    assert.equal(await page.getByRole('link', { name: ticket }).count(), 0, 'the walk-in case is not from SP4N-LAPOR!');
  } finally {
    await context.close();
  }
});

/** The date `days` days from now in WIB (the office's day), as YYYY-MM-DD. */
function wibDate(days) {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Jakarta' });
}

/** Three open cases written into the data folder, named "Tenggat …": one
 * past its deadline (in 2020), one due today and one due tomorrow (by the
 * clock of this run); their tickets, in the order the inbox must show them. */
function deadlineCases() {
  const cases = [
    { suffix: 'TMPR', received: '2020-01-06', due: '2020-01-13', name: 'Tenggat Lewat' },
    { suffix: 'TMPH', received: wibDate(-1), due: wibDate(0), name: 'Tenggat Hari Ini' },
    { suffix: 'TMPK', received: wibDate(-1), due: wibDate(1), name: 'Tenggat Besok' },
  ];
  return cases.map(({ suffix, received, due, name }) => {
    const [y, m, d] = received.split('-');
    const ticket = `KP-${y}${m}${d}-${suffix}`;
    const dir = join(DATA, 'submissions', y, m, d);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${ticket}.yaml`),
      `ticket: ${ticket}\nkind: permohonan\nreceived_at: ${received}T09:00:00+07:00\nstatus: baru\nresponse_due: ${due}\ncompletion_due: ${due}\nfields:\n  nama: ${name}\nattachments: []\nhistory: []\n`,
      { mode: 0o600 },
    );
    return ticket;
  });
}

/** The inbox narrowed to the "Tenggat" cases, their badges checked. */
async function openDeadlineInbox(page) {
  const tickets = deadlineCases();
  const response = await page.goto(desk('/?cari=Tenggat'));
  const rows = page.locator('table.inbox tbody tr');
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('a.ticket').textContent.trim(), tr.querySelector('.badge')?.textContent.trim() ?? '']));
  assert.deepEqual(shown.map(([t]) => t), tickets, 'overdue first, then due today, then tomorrow');
  assert.match(shown[0][1], /^lewat \d+ hari kerja$/);
  assert.equal(shown[1][1], 'jatuh tempo hari ini');
  assert.equal(shown[2][1], 'jatuh tempo besok');
  return response;
}

test('the inbox puts overdue cases first, with their deadline badges', async () => {
  const context = await session.browser.newContext({ javaScriptEnabled: false, viewport: VIEWPORTS[1], storageState: signedIn });
  try {
    const page = await context.newPage();
    assert.equal((await openDeadlineInbox(page)).status(), 200);
    // The filter for each badge.
    await page.getByText('Saringan lain').click();
    await page.getByLabel('Batas waktu', { exact: true }).selectOption({ label: 'Jatuh tempo hari ini' });
    await Promise.all([page.waitForURL('**/?*batas=hari-ini*'), page.getByRole('button', { name: 'Terapkan' }).click()]);
    const tickets = await page.locator('table.inbox tbody a.ticket').allInnerTexts();
    assert.ok(tickets.some((t) => t.endsWith('-TMPH')), `the case due today is listed: ${tickets}`);
    assert.ok(!tickets.some((t) => t.endsWith('-TMPR') || t.endsWith('-TMPK')), `only cases due today: ${tickets}`);
  } finally {
    await context.close();
  }
});

/** Survey answers of November 2026 in the data folder (once). */
function surveyAnswers() {
  const dir = join(DATA, 'survei', 'jawaban');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const scores = [[4, 4, 3, 4, 2, 4, 4, 3, 3], [3, 3, 3, 4, 3, 4, 4, null, 3], [2, 3, 2, 4, 3, 3, 4, 2, 3]];
  scores.forEach((s, i) => {
    const suggestion = i === 1 ? '' : `suggestion: "Ruang tunggu ${i + 1} perlu kipas angin."\n`;
    const text = `answered: 2026-11-0${i + 3}\nkind: walk-in\nscores: [${s.map((v) => (v === null ? 'null' : v)).join(', ')}]\n${suggestion}`;
    writeFileSync(join(dir, `uji-peramban-${i}.yaml`), text, { mode: 0o600 });
  });
}

/** Opens `path` in a signed-in context; returns the main response. */
const at = (name, path, status = 200) => ({ name, status, open: (page) => page.goto(desk(typeof path === 'function' ? path() : path)) });

/** Every desk page a staff member can see. */
function deskStates() {
  return [
    { name: 'masuk', signedOut: true, status: 200, open: (page) => page.goto(desk('/masuk/')) },
    { name: 'masuk-salah', signedOut: true, status: 403, open: (page) => signIn(page, 'bukan kata sandinya') },
    at('kotak-masuk', '/'),
    at('kotak-masuk-disaring', '/?status=baru&jenis=permohonan&terlambat=1'),
    at('kotak-masuk-kosong', '/?cari=tidak-ada-yang-bernama-ini'),
    { name: 'kotak-masuk-batas-waktu', status: 200, open: openDeadlineInbox },
    at('kasus-baru', () => `/kasus/${fresh}/`),
    {
      name: 'kasus-langkah-ditolak',
      open: async (page) => {
        await page.goto(desk(`/kasus/${fresh}/`));
        const tolak = page.getByRole('region', { name: 'Tolak', exact: true });
        await tolak.getByLabel('Alasan penolakan (wajib)').fill('   ');
        return submit(page, 'Tolak permohonan');
      },
      status: 422,
    },
    {
      name: 'kasus-baru-diubah',
      open: async (page) => {
        await page.goto(desk(`/kasus/${fresh}/`));
        // Someone edits the record by hand meanwhile.
        const path = findRecord(fresh);
        writeFileSync(path, `${readFileSync(path, 'utf8')}# dicek lewat telepon\n`, { mode: 0o600 });
        return submit(page, 'Berkas tidak lengkap');
      },
      status: 409,
    },
    at('kasus-cetak', () => `/kasus/${fresh}/dokumen/laporan-hasil/`),
    at('kasus-dokumen', () => `/kasus/${fresh}/dokumen/`),
    at('laporan', '/laporan/'),
    at('catat-pilih', '/kasus-baru/'),
    at('catat-formulir', '/kasus-baru/permohonan/'),
    {
      name: 'catat-galat',
      open: async (page) => {
        await page.goto(desk('/kasus-baru/permohonan/'));
        await page.getByLabel('Saluran (wajib)').selectOption('lapor');
        return submit(page, 'Catat kasus');
      },
      status: 422,
    },
    {
      name: 'catat-tercatat',
      open: async (page) => {
        await fillNewCase(page, 'telepon', `Lewat telepon (uji meja layanan, ${page.viewportSize().width} px).`);
        return submit(page, 'Catat kasus');
      },
      status: 200,
    },
    {
      name: 'survei',
      open: (page) => {
        surveyAnswers();
        return page.goto(desk('/survei/?tahun=2026&bagian=11'));
      },
      status: 200,
    },
    {
      name: 'survei-rencana-galat',
      open: async (page) => {
        surveyAnswers();
        await page.goto(desk('/survei/?periode=2026-11'));
        await page.getByLabel('Rencana tindak lanjut November 2026').fill('x'.repeat(5001));
        return submit(page, 'Simpan rencana');
      },
      status: 422,
    },
    at('survei-kode', '/survei/kode/'),
    {
      name: 'survei-kode-dibuat',
      open: async (page) => {
        await page.goto(desk('/survei/kode/'));
        await page.getByLabel('Layanan yang baru diberikan').selectOption('-');
        return submit(page, 'Buat kode survei');
      },
      status: 200,
    },
    at('galat-404', '/kasus/KP-20200101-CDFH/', 404),
  ];
}

for (const viewport of VIEWPORTS) {
  describe(`desk pages at ${viewport.width} px`, () => {
    for (const state of deskStates()) {
      test(`${state.name}: axe, no sideways scrolling, screenshot`, async () => {
        const context = await session.browser.newContext({
          viewport,
          bypassCSP: true,
          storageState: state.signedOut ? undefined : signedIn,
        });
        try {
          const page = await context.newPage();
          const response = await state.open(page);
          assert.equal(response.status(), state.status, state.name);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
          assert.ok(overflow <= 0, `${state.name} is ${overflow} px wider than ${viewport.width} px`);
          const path = join(screenshotsDir(), `${viewport.width}-meja-${state.name}.png`);
          await page.screenshot({ path, fullPage: true });
          assert.ok(statSync(path).size > 5000, `${path} holds a picture`);
          await page.addScriptTag({ content: AXE_SOURCE });
          const results = await page.evaluate(
            (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
            TAGS,
          );
          const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
          for (const v of results.violations) {
            console.log(`${state.name} at ${viewport.width} px: [${v.impact}] ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
          }
          assert.equal(bad.length, 0, `${state.name}: ${bad.map((v) => v.id).join(', ')}`);
        } finally {
          await context.close();
        }
      });
    }
  });
}
