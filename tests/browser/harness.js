// What the browser tests share: Debian's Chromium launched headless through
// puppeteer-core (no browser download) with a throw-away profile, a page
// that records console and page errors, a list of failed checks, and the
// exit: 0 when every check held, 1 otherwise (or on any exception).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

// Runs `body({ page, check, errors })` on a fresh page; `done` is printed on success.
function runBrowserTest(artifacts, done, body) {
  (async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    const failures = [];
    const check = (ok, what) => { if (!ok) failures.push(what); };
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-chromium-'));
    const browser = await puppeteer.launch({
      executablePath: '/usr/bin/chromium', headless: true, userDataDir: profile,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 1100 });
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await body({ page, check, failures });
      check(errors.length === 0, 'page errors: ' + errors.join(' | '));
    } finally {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
    if (failures.length) {
      console.log('FAIL:\n  ' + failures.join('\n  '));
      process.exit(1);
    }
    console.log('ok: ' + done);
  })().catch((e) => { console.log('FAIL: ' + (e && e.stack || e)); process.exit(1); });
}

module.exports = { runBrowserTest };
