import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@dja/test-infra';
import type { Locator, Page } from 'playwright-core';

/** Screenshots of each step, kept as test artifacts (test-artifacts/ is gitignored). */
export const ARTIFACTS = join(__dirname, '../../../test-artifacts/console');

/** What the console page shows, read through roles and labels as a user of assistive tech would. */
let shots = 0;

export class ConsolePage {
  constructor(readonly page: Page) {}

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  async click(name: string): Promise<void> {
    await this.button(name).click();
    // Buttons are disabled while their request runs.
    await waitFor(() => this.button(name).isEnabled(), { description: `"${name}" to finish` });
  }

  status(): Promise<string> {
    return this.page.getByRole('status').innerText();
  }

  /** Lines of the response log, newest first. */
  logLines(): Promise<string[]> {
    return this.page.getByRole('log').getByRole('listitem').allInnerTexts();
  }

  /** Waits until the newest log line matches, and returns it. */
  async newestLog(pattern: RegExp, description = String(pattern)): Promise<string> {
    return waitFor(
      async () => {
        const [newest] = await this.logLines();
        return newest !== undefined && pattern.test(newest) ? newest : undefined;
      },
      { timeoutMs: 15_000, description: `newest log line ${description}` },
    );
  }

  /** Rows of a table as arrays of cell texts, header row excluded. */
  async tableRows(table: Locator): Promise<string[][]> {
    const rows = await table.locator('tbody').getByRole('row').all();
    return Promise.all(rows.map((row) => row.getByRole('cell').allInnerTexts()));
  }

  async rowHeaders(table: Locator): Promise<string[]> {
    return table.locator('tbody').getByRole('rowheader').allInnerTexts();
  }

  async screenshot(name: string): Promise<void> {
    await mkdir(ARTIFACTS, { recursive: true });
    shots += 1;
    const file = `${String(shots).padStart(2, '0')}-${name}.png`;
    await this.page.screenshot({ path: join(ARTIFACTS, file), fullPage: true });
  }
}
