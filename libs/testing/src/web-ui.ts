import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

import { waitForHttp } from './processes';
import { freePort } from './test-env';

export interface WebUi {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Where browser tests leave a full-page PNG of each page they visit; CI keeps the directory as an artifact. */
export const SCREENSHOT_DIR = path.resolve('artifacts/screenshots');

/**
 * Saves a full-page PNG of `page` as `artifacts/screenshots/<name>.png` (the name made safe for a
 * file; the directory created) and returns its path.
 */
export async function screenshotPage(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'page'}.png`);
  // from the top: scrolled, the sticky header would be drawn across the middle of the page
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** A page's name from its path: `/models/iris/drift` is `models-iris-drift`, `/` is `home`. */
function pageName(url: string): string {
  const { pathname } = new URL(url);
  return pathname.split('/').filter(Boolean).map(decodeURIComponent).join('-') || 'home';
}

/** The spec file driving the browser, for screenshot names: `training-search` of `…/training-search.int.spec.ts`. */
function specName(): string {
  const file = expect.getState().testPath;
  return file ? path.basename(file).replace(/(\.(int|e2e))?\.spec\.ts$/, '') : 'browser';
}

/**
 * Screenshots each page the browser leaves, as `<spec>--<page>.png`: before every `page.goto`
 * (the page as the test left it) and, through the returned function, when the browser closes. A
 * screenshot that fails only logs: it never fails the test that was driving the page.
 */
function recordVisits(browser: Browser): () => Promise<void> {
  const pages: Page[] = [];
  const spec = specName();
  const capture = async (page: Page) => {
    if (page.isClosed() || !page.url().startsWith('http')) return;
    await screenshotPage(page, `${spec}--${pageName(page.url())}`).catch((error: unknown) =>
      console.warn(`screenshot of ${page.url()} failed: ${String(error)}`),
    );
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    const goto = page.goto.bind(page);
    page.goto = async (url, gotoOptions) => {
      await capture(page);
      return goto(url, gotoOptions);
    };
    pages.push(page);
    return page;
  };
  return async () => {
    for (const page of pages) await capture(page);
  };
}

/**
 * Serves the built web UI (`next build apps/web`, done by `npm test`) against an API, and opens
 * Debian's headless Chromium to drive it. Every page needs a session: `signIn` first. Each page
 * a test leaves (by `page.goto`, or open when the UI closes) is saved to `artifacts/screenshots/`,
 * named by the spec and the page's path, unless `recordVisits` is false (a test that names its own).
 */
export async function startWebUi(apiUrl: string, options: { recordVisits?: boolean } = {}): Promise<WebUi> {
  const port = await freePort();
  const server = spawn('npx', ['next', 'start', 'apps/web', '-p', String(port), '-H', '127.0.0.1'], {
    env: {
      ...process.env,
      ATELIER_API_URL: apiUrl,
      // this server's own session secret: cookies it seals open nowhere else
      ATELIER_UI_SECRET: randomBytes(32).toString('base64url'),
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, server);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const recorded = options.recordVisits === false ? async () => undefined : recordVisits(browser);
  return {
    url,
    browser,
    close: async () => {
      await recorded();
      await browser.close();
      if (server.pid) process.kill(-server.pid, 'SIGTERM');
    },
  };
}

/**
 * Signs `page` in with an API key through the sign-in form, as a person would, and waits for the
 * page it lands on. Throws with the form's message when the key is refused.
 */
export async function signIn(page: Page, uiUrl: string, key: string): Promise<void> {
  await page.goto(`${uiUrl}/sign-in`);
  await page.getByTestId('api-key-input').fill(key);
  const refusal = page.getByTestId('sign-in-error');
  // whichever comes first; the other one is settled (not left to reject unhandled)
  const landed = page
    .waitForURL((url) => url.pathname !== '/sign-in')
    .then(
      () => true,
      () => false,
    );
  const refused = refusal.waitFor().then(
    () => true,
    () => false,
  );
  await page.getByTestId('sign-in-submit').click();
  await Promise.race([landed, refused]);
  if (await refusal.isVisible()) throw new Error(`sign-in refused: ${await refusal.innerText()}`);
  if (new URL(page.url()).pathname === '/sign-in') throw new Error('sign-in did not leave the sign-in page');
  await page.getByTestId('session-user').waitFor();
}
