// Helpers of the browser tests and the page benchmark: Debian's Chromium
// driven by playwright-core (web/node_modules), and canopy-store processes
// (serve, demo) on a temporary SQLite store, stopped when the test ends.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const webDir = process.env.CANOPY_WEB_DIR || join(repoRoot, 'web');
export const storeBin = process.env.CANOPY_STORE_BIN || join(repoRoot, 'build/canopy-store');
export const artifactsDir = process.env.CANOPY_TEST_ARTIFACTS || join(repoRoot, 'build/test-artifacts/web');
export const chromiumPath = process.env.CANOPY_CHROMIUM || '/usr/bin/chromium';

const require = createRequire(join(webDir, 'package.json'));
const { chromium } = require('playwright-core');

export function tempDir(prefix = 'canopy-web-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Headless Chromium with no network of its own (the flags keep it from
// calling home, which this machine's closed network refuses). Playwright
// gives every launch a fresh, empty --user-data-dir of its own and removes
// it on close. Playwright's own browser download is not used.
export async function launchBrowser() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} not found: install Debian's chromium (scripts/setup does)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page that records console errors and uncaught exceptions.
export async function newPage(browser, { colorScheme = 'light', width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Runs canopy-store with the store at dbPath; resolves with {code, stdout, stderr}.
export function runStore(dbPath, args, { timeoutMs = 120000, extraSet = [] } = {}) {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(storeBin, [...storeSets(dbPath, extraSet), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`canopy-store ${args.join(' ')} timed out`)); }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => { clearTimeout(timer); resolvePromise({ code, stdout, stderr }); });
  });
}

function storeSets(dbPath, extra) {
  return ['--set', `backend.embedded.path=${dbPath}`, ...extra.flatMap((s) => ['--set', s])];
}

// Starts a process and returns {proc, stdout(), stderr(), stop()}.
export function startStore(dbPath, args, { extraSet = [] } = {}) {
  const proc = spawn(storeBin, [...storeSets(dbPath, extraSet), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => proc.on('close', (code, signal) => r({ code, signal })));
  return {
    proc,
    exited,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

// `canopy-store serve` on 127.0.0.1 and a free port; resolves once it
// printed "serving http://127.0.0.1:PORT".
export async function startServe(dbPath, { extraSet = [], extraArgs = [] } = {}) {
  const s = startStore(dbPath, ['serve', '--listen', '127.0.0.1:0', ...extraArgs], { extraSet });
  const url = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${s.stdout()}\n${s.stderr()}`)), 30000);
    const check = () => {
      const m = s.stdout().match(/serving (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    };
    s.proc.stdout.on('data', check);
    s.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before serving:\n${s.stdout()}\n${s.stderr()}`));
    });
    check();
  });
  return { ...s, url };
}

export async function getJSON(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function waitFor(fn, { timeoutMs = 30000, intervalMs = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
