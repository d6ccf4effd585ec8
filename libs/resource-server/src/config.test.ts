import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceEnv } from '@dja/config';
import { documentedSettings } from '@dja/config/testing';
import { z } from 'zod';
import { audience, resourceServerEnv } from './config';

/** The schema every resource service spreads, with an audience as each of them adds it. */
const configSchema = z.object({ ...resourceServerEnv, AUDIENCE: audience('invoices') });

/** `variable → default` cells of the settings table in docs/adopting.md. */
function adoptingTable(): Map<string, string> {
  const text = readFileSync(join(__dirname, '../../../docs/adopting.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (!/^`[A-Z_]+`/.test(cells[2] ?? '')) continue;
    for (const [, variable] of cells[2]!.matchAll(/`([A-Z_]+)`/g)) rows.set(variable!, cells[3]!);
  }
  return rows;
}

describe('the settings table of docs/adopting.md', () => {
  const documented = adoptingTable();
  const settings = documentedSettings(configSchema, __filename);

  it('lists every variable the resource-server runtime reads beyond the common ones', () => {
    const own = settings.map((s) => s.variable).filter((name) => !(name in serviceEnv));
    expect([...documented.keys()].sort()).toEqual(own.sort());
  });

  it('gives each the default of the schema', () => {
    for (const { variable, default: fallback } of settings.filter((s) =>
      documented.has(s.variable),
    )) {
      const cell = documented.get(variable)!;
      if (variable === 'AUDIENCE') expect(cell).toBe("the service's name");
      else if (fallback === 'required')
        expect({ variable, cell }).toEqual({ variable, cell: expect.stringMatching(/^required/) });
      else
        expect({ variable, cell }).toEqual({
          variable,
          cell: expect.stringMatching(new RegExp(`^${fallback}`)),
        });
    }
  });
});
