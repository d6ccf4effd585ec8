import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@dja/test-infra';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium: `npx playwright install` cannot download a browser on these machines. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile in a temp dir, removed on close. */
export async function launchChromium(): Promise<Browser> {
  await waitFor(() => existsSync(CHROMIUM), {
    timeoutMs: 60_000,
    intervalMs: 1_000,
    description: `${CHROMIUM} (apt-get install -y chromium)`,
  });
  const userDataDir = await mkdtemp(join(tmpdir(), 'console-e2e-chromium-'));
  // Playwright passes the profile directory as --user-data-dir itself.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
