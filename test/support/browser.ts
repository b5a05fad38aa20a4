// Browser tests: the whole server on a loopback port and Debian's Chromium at a phone's size,
// driven by playwright-core. Where no Chromium is installed the suites skip, saying why.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { authenticator, errorTranslators } from '../../src/app';
import { allRoutes } from '../../src/modules';
import { buildServer } from '../../src/http/server';
import type { AppContext } from '../../src/shared/context';

const chromiumPath = '/usr/bin/chromium';

/** Where screenshots go, for people to look at. */
export const screenshots = new URL('../../test-output/', import.meta.url).pathname;

/** `false` when Chromium is here, else the reason to skip (for describe's `skip` option). */
export const skipWithoutChromium: false | string = existsSync(chromiumPath)
  ? false
  : `no browser at ${chromiumPath} (apt-get install chromium; .ci/run does)`;

/** A served app and a phone-sized page on it. */
export interface BrowserSession {
  base: string;
  page: Page;
  /** Stops the server only, as a network that is gone: the browser stays open. */
  stopServer(): Promise<void>;
  stop(): Promise<void>;
}

/** Serves the app on 127.0.0.1 and opens a phone-sized Chromium page. */
export async function openBrowserSession(app: AppContext): Promise<BrowserSession> {
  mkdirSync(screenshots, { recursive: true });
  const server = await buildServer(app, {
    routes: allRoutes(),
    authenticator: authenticator(),
    errorTranslators: errorTranslators(),
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  let serving = true;
  const stopServer = async () => {
    if (!serving) return;
    serving = false;
    server.server.closeAllConnections();
    await server.close();
  };
  return {
    base,
    page,
    stopServer,
    stop: async () => {
      await browser.close();
      await stopServer();
    },
  };
}
