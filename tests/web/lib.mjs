// Shared by the browser tests and scripts/screenshots.sh: start `qgrant serve` on a temporary
// SQLite database with the demo users (--demo) and a fixed service date, add a unit whose name
// is a script tag, and launch Debian's Chromium through playwright-core (which never downloads a
// browser). Each launch gets a fresh temporary profile.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const TODAY = '2026-06-01';
export const EVIL_NAME = '<script>alert(1)</script>';

// Starts `qgrant serve` on `db` with the service date `today`; resolves to the child, its URL and
// what it printed on stdout (the demo tokens on a new database).
async function serve(qgrant, root, db, today) {
  const child = spawn(qgrant, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--policy', join(root, 'policies/sz-quality-brand'),
    '--examples', join(root, 'examples'), '--demo', '--today', today, '--threads', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('qgrant serve did not start:\n' + err)), 20000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`qgrant serve exited ${code}:\n${err}`)));
  });
  return { child, url, out };
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function startServer() {
  const qgrant = process.env.QGRANT_BIN;
  const root = process.env.QGRANT_ROOT;
  if (!qgrant || !root) throw new Error('set QGRANT_BIN (the qgrant binary) and QGRANT_ROOT (the repository)');
  const dir = mkdtempSync(join(tmpdir(), 'qgrant-web-'));
  const db = join(dir, 'qgrant.db');
  let running = await serve(qgrant, root, db, TODAY);
  // "  role [uscc]  login  token": the last two fields.
  const tokens = {};
  for (const line of running.out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3 && /^[0-9a-f]{32,}$/.test(f[f.length - 1])) tokens[f[f.length - 2]] = f[f.length - 1];
  }
  const add = spawnSync(qgrant, ['user', 'add', '--db', db, '--login', 'evil', '--role', 'applicant',
    '--uscc', '91440300708461136T', '--name', EVIL_NAME], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error('qgrant user add failed: ' + add.stderr);
  tokens.evil = add.stdout.trim();
  const server = {
    url: running.url, tokens, dir,
    // The same database served again on another service date (the notice period has passed);
    // cookies are per host, not port, so signed-in browser contexts stay signed in.
    async restart(today) {
      await stopChild(running.child);
      running = await serve(qgrant, root, db, today);
      server.url = running.url;
    },
    async stop() {
      await stopChild(running.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Signs in through the sign-in page, as a person would.
export async function signIn(page, url, token) {
  await page.goto(url + '/signin');
  await page.fill('#f-token', token);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')), page.click('main button[type=submit]')]);
}
