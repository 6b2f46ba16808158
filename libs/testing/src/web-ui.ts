import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { type Browser, chromium, type Page } from 'playwright-core';

import { waitForHttp } from './processes';
import { freePort } from './test-env';

export interface WebUi {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Serves the built web UI (`next build apps/web`, done by `npm test`) against an API, and opens
 * Debian's headless Chromium to drive it. Every page needs a session: `signIn` first.
 */
export async function startWebUi(apiUrl: string): Promise<WebUi> {
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
  return {
    url,
    browser,
    close: async () => {
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
