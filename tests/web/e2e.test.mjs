// The page end to end in headless Chromium (Debian's), driven by
// playwright-core: `canopy-store serve` on a temporary SQLite store, two
// finished demo runs and one demo training live (--epoch-delay), then the
// runs, run and compare views as a person uses them. Every test saves a
// screenshot into CANOPY_TEST_ARTIFACTS (build/test-artifacts/web/).
// CANOPY_UPDATE_DOC_SCREENSHOT=1 also writes docs/img/run-view.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  getJSON, launchBrowser, newPage, repoRoot, runStore, screenshot, startServe, startStore, tempDir, waitFor,
} from './lib.mjs';

const EPOCH_DELAY_MS = 20; // the demo (seed 3: 1,339 epochs) then trains for about 30 s
const UNKNOWN = '0b7e5a52-9a51-4f3e-8d3c-2f1c8c2f0f00';

describe('web page', { timeout: 300000 }, () => {
  let dir;
  let db;
  let serve;
  let live = null;
  let browser;
  let base;
  const done = []; // the finished runs, oldest first

  before(async () => {
    dir = tempDir();
    db = join(dir, 'metrics.db');
    for (const seed of [1, 2]) {
      const r = await runStore(db, ['demo', '--no-plot', '--quiet', '--seed', String(seed)]);
      assert.equal(r.code, 0, r.stderr);
    }
    serve = await startServe(db);
    base = serve.url;
    const runs = await getJSON(`${base}/api/runs`);
    done.push(...runs.runs.map((r) => r.run_id).reverse());
    assert.equal(done.length, 2);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await live?.stop();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function noErrors(page) {
    assert.deepEqual(page.errors, [], 'console errors');
  }

  test('runs view: newest first with badges; a new run appears and its epochs move without a reload', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-view="runs"][data-state="ready"]');
    const ids = await page.$$eval('#runs-table tbody tr', (trs) => trs.map((t) => t.dataset.runId));
    assert.deepEqual(ids, [...done].reverse(), 'newest first');
    assert.equal(await page.locator('#runs-table .badge-completed').count(), 2);

    live = startStore(db, ['demo', '--no-plot', '--quiet', '--seed', '3', '--epoch-delay', String(EPOCH_DELAY_MS)]);
    const row = page.locator('#runs-table tbody tr[data-status="running"]');
    await row.waitFor({ timeout: 15000 });
    const epochs = async () => Number((await row.locator('td.epochs').textContent()).replace(/[^0-9]/g, '') || 0);
    const first = await epochs();
    await waitFor(async () => (await epochs()) > first, { timeoutMs: 10000, what: 'the epoch count to move' });
    assert.equal(await page.locator('#runs-table tbody tr').count(), 3);
    await screenshot(page, 'runs-live');
    noErrors(page);
    await page.context().close();
  });

  test('run view: the live run\'s curves grow while it trains and end equal to the stored series', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/#/runs?status=running`);
    const link = page.locator('#runs-table tbody tr[data-status="running"] a.run-link');
    await link.waitFor({ timeout: 15000 });
    const id = (await link.textContent()).trim();
    // keyboard: focus the link and follow it with Enter
    await link.focus();
    await page.keyboard.press('Enter');
    const view = page.locator(`[data-view="run"][data-run-id="${id}"]`);
    await page.waitForSelector(`[data-view="run"][data-run-id="${id}"][data-state="ready"]`);
    const acc = page.locator('figure[data-chart="accuracy"]');
    const count = async () => Number(await acc.getAttribute('data-points'));
    assert.equal(await view.getAttribute('data-status'), 'running', 'the run is still training when opened');
    const p1 = await count();
    await waitFor(async () => (await count()) > p1 || (await view.getAttribute('data-live')) === 'done',
      { timeoutMs: 15000, what: 'live points' });
    const p2 = await count();
    assert.ok(p2 > p1, `points grew while training (${p1} → ${p2})`);
    // no metric lost between the first answer and the stream: while the
    // hidden-unit chart (the widest) holds every value, its steps are
    // consecutive
    const hidden = page.locator('figure[data-chart="hidden"]');
    const [n, firstStep, lastStep, width] = await Promise.all(['data-points', 'data-first-step', 'data-last-step',
      'data-budget'].map(async (a) => Number(await hidden.getAttribute(a))));
    if (n <= width) assert.equal(lastStep - firstStep + 1, n, `steps ${firstStep}..${lastStep} held as ${n} points`);
    await screenshot(page, 'run-view-live');

    await page.waitForSelector(`[data-view="run"][data-live="done"]`, { timeout: 120000 });
    const { code } = await live.exited;
    assert.equal(code, 0, live.stderr());
    assert.match(await page.locator('#live-indicator').textContent(), /complete/);
    assert.equal(await view.getAttribute('data-status'), 'completed');

    const stored = await getJSON(`${base}/api/runs/${id}`);
    const budget = Number(await acc.getAttribute('data-budget'));
    const series = await getJSON(`${base}/api/runs/${id}/series?field=val_accuracy&points=${budget}`);
    assert.equal(await count(), series.points.length, 'the chart holds the series the API answers');
    if (series.exact) assert.equal(await count(), stored.run.final_epoch, 'every epoch drawn');
    else assert.ok(series.points.length <= Math.min(stored.metric_count, 4 * budget), 'downsampled (M4: at most 4 a pixel)');
    for (const chart of ['loss', 'hidden']) {
      const fig = page.locator(`figure[data-chart="${chart}"]`);
      const field = chart === 'loss' ? 'val_loss' : 'hidden_units';
      const s = await getJSON(`${base}/api/runs/${id}/series?field=${field}&points=${await fig.getAttribute('data-budget')}`);
      assert.equal(Number(await fig.getAttribute('data-points')), s.points.length, `${chart} chart`);
    }
    // the summary: best validation accuracy and its epoch
    const best = await page.locator('.card[data-key="best"]').textContent();
    assert.match(best, new RegExp(`${(stored.run.best_val_accuracy * 100).toFixed(1)} %`));
    assert.match(best, new RegExp(`epoch ${stored.run.best_epoch.toLocaleString('en-US')}`));
    // downloads
    for (const fmt of ['csv', 'json']) {
      const href = await page.locator(`#download-${fmt}`).getAttribute('href');
      const res = await fetch(`${base}${href}`);
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.ok(fmt === 'csv' ? text.startsWith('timestamp') || text.includes('epoch') : text.trim().startsWith('['));
    }
    const file = await screenshot(page, 'run-view');
    if (process.env.CANOPY_UPDATE_DOC_SCREENSHOT) {
      mkdirSync(join(repoRoot, 'docs/img'), { recursive: true });
      copyFileSync(file, join(repoRoot, 'docs/img/run-view.png'));
    }
    noErrors(page);
    await page.context().close();
  });

  test('run view: a zoom selection fetches the range at full resolution, Esc zooms out', async () => {
    const page = await newPage(browser);
    const id = done[0];
    await page.goto(`${base}/#/run/${id}`);
    await page.waitForSelector('[data-view="run"][data-state="ready"]');
    const over = page.locator('figure[data-chart="accuracy"] .u-over');
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => location.hash.includes('from='));
    await page.waitForSelector('[data-view="run"][data-zoomed="true"][data-state="ready"]');
    const params = new URLSearchParams(await page.evaluate(() => location.hash.split('?')[1]));
    const acc = page.locator('figure[data-chart="accuracy"]');
    const s = await getJSON(`${base}/api/runs/${id}/series?field=val_accuracy&points=${await acc.getAttribute('data-budget')}` +
      `&from=${encodeURIComponent(params.get('from'))}&to=${encodeURIComponent(params.get('to'))}`);
    assert.ok(s.exact, 'a tenth of the run fits the chart: every value');
    assert.equal(Number(await acc.getAttribute('data-points')), s.points.length);
    assert.ok(s.points.length > 20);
    await screenshot(page, 'run-zoomed');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-view="run"][data-zoomed="false"]');
    assert.ok(!(await page.evaluate(() => location.hash)).includes('from='));
    // the same from the keyboard: a focused chart zooms in with +
    await page.locator('figure[data-chart="loss"] .chart').focus();
    await page.keyboard.press('+');
    await page.waitForSelector('[data-view="run"][data-zoomed="true"][data-state="ready"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-view="run"][data-zoomed="false"]');
    noErrors(page);
    await page.context().close();
  });

  test('compare view: two runs overlaid, summaries side by side, the selection in the URL', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/#/runs?status=completed`);
    await page.waitForSelector('[data-view="runs"][data-state="ready"]');
    for (const id of done) await page.locator(`tr[data-run-id="${id}"] input[type="checkbox"]`).check();
    await page.locator('#compare-selected').click();
    await page.waitForSelector('[data-view="compare"][data-state="ready"]');
    const hash = await page.evaluate(() => location.hash);
    for (const id of done) assert.ok(hash.includes(`run=${id}`), hash);
    const cmp = await getJSON(`${base}/api/compare?run=${done[0]}&run=${done[1]}&field=val_accuracy&points=${
      await page.locator('figure[data-chart="compare"]').getAttribute('data-budget') || 1000}`);
    assert.ok(cmp.epochs.length > 0);
    assert.equal(await page.locator('#compare-summaries thead th').count(), 3);
    assert.ok(Number(await page.locator('figure[data-chart="compare"]').getAttribute('data-points')) > 0);

    await page.locator('#c-field').selectOption('train_loss');
    await page.waitForFunction(() => location.hash.includes('field=train_loss'));
    await page.waitForSelector('[data-view="compare"][data-state="ready"]');
    // the URL alone brings the same view back
    await page.reload();
    await page.waitForSelector('[data-view="compare"][data-state="ready"]');
    assert.equal(await page.locator('#c-field').inputValue(), 'train_loss');
    assert.equal(await page.locator('#compare-runs li').count(), 2);
    await screenshot(page, 'compare');
    noErrors(page);
    await page.context().close();
  });

  test('an unknown run id shows the error state', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/#/run/${UNKNOWN}`);
    await page.waitForSelector('[data-view="run"][data-state="error"]');
    assert.match(await page.locator('main [role="alert"]').first().textContent(), /Run not found/);
    await screenshot(page, 'run-unknown');
    await page.goto(`${base}/#/run/not-a-run`);
    await page.waitForSelector('[data-view="run"][data-state="error"]');
    assert.match(await page.locator('main [role="alert"]').first().textContent(), /Not a run id/);
    // the only console errors: the browser's own line for the 404 answer
    assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
    await page.context().close();
  });

  test('dark mode follows the system', async () => {
    const page = await newPage(browser, { colorScheme: 'dark' });
    await page.goto(`${base}/#/run/${done[1]}`);
    await page.waitForSelector('[data-view="run"][data-state="ready"]');
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark background (${bg})`);
    await screenshot(page, 'run-view-dark');
    noErrors(page);
    await page.context().close();
  });

  test('the server going away shows a banner', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-view="runs"][data-state="ready"]');
    await serve.stop();
    await page.waitForSelector('#banner:not([hidden])', { timeout: 10000 });
    await screenshot(page, 'server-down');
    // the browser's own lines for refused connections, and for the 503 a
    // draining server answers
    assert.deepEqual(page.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to fetch|status of 503/.test(e)), []);
    await page.context().close();
  });
});

describe('runs view: paging, filters, search', { timeout: 120000 }, () => {
  let dir;
  let serve;
  let browser;
  let demoRun;

  before(async () => {
    dir = tempDir();
    const db = join(dir, 'metrics.db');
    // 30 one-metric runs (dataset canopy-store-bench), then one demo run
    const b = await runStore(db, ['bench', '--metrics', '30', '--runs', '30']);
    assert.equal(b.code, 0, b.stderr);
    const d = await runStore(db, ['demo', '--no-plot', '--quiet']);
    assert.equal(d.code, 0, d.stderr);
    serve = await startServe(db);
    demoRun = (await getJSON(`${serve.url}/api/runs?limit=1`)).runs[0];
    assert.equal(demoRun.dataset_name, 'two_spirals');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('pages of 25 by next_cursor, filters and search in the URL', async () => {
    const page = await newPage(browser);
    const rows = page.locator('#runs-table tbody tr');
    const ready = () => page.waitForSelector('[data-view="runs"][data-state="ready"]');
    await page.goto(`${serve.url}/`);
    await ready();
    assert.equal(await rows.count(), 25);
    assert.equal(await rows.first().getAttribute('data-run-id'), demoRun.run_id, 'newest first');
    await page.locator('#page-next').click();
    await page.waitForFunction(() => location.hash.includes('cursor='));
    await waitFor(async () => (await rows.count()) === 6, { what: 'the second page' });
    assert.ok(await page.locator('#page-next').isDisabled(), 'no third page');
    await screenshot(page, 'runs-page-2');
    await page.locator('#page-prev').click();
    await waitFor(async () => (await rows.count()) === 25, { what: 'the first page again' });

    await page.locator('#f-dataset').fill('two_spirals');
    await page.locator('#f-dataset').press('Enter');
    await page.waitForFunction(() => location.hash.includes('dataset=two_spirals'));
    await waitFor(async () => (await rows.count()) === 1, { what: 'the dataset filter' });
    await page.locator('#f-dataset').fill('');
    await page.locator('#f-dataset').press('Enter');
    await page.locator('#f-status').selectOption('completed');
    await page.waitForFunction(() => location.hash.includes('status=completed') && !location.hash.includes('dataset='));
    await waitFor(async () => (await rows.count()) === 1, { what: 'the status filter' });
    assert.equal(await rows.first().getAttribute('data-run-id'), demoRun.run_id);
    await page.locator('#f-status').selectOption('');

    // search by run id prefix, from the keyboard
    await page.locator('body').click();
    await page.keyboard.press('/');
    const prefix = demoRun.run_id.slice(0, 6);
    await page.keyboard.type(prefix);
    await page.waitForFunction((p) => location.hash.includes(`q=${p}`), prefix);
    await waitFor(async () => {
      const ids = await rows.evaluateAll((trs) => trs.map((t) => t.dataset.runId));
      return ids.length >= 1 && ids.every((id) => id.startsWith(prefix)) && ids.includes(demoRun.run_id);
    }, { what: 'the search' });
    await page.reload();
    await ready();
    assert.equal(await page.locator('#f-q').inputValue(), prefix, 'the search survives a reload');
    await page.locator('#f-q').fill('zzzz');
    await page.waitForSelector('#runs-message [data-state="empty"]');
    await screenshot(page, 'runs-no-match');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
