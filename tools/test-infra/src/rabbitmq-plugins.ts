import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Fills `targetDir` with links to just the Erlang applications that `rootApps` need.
 *
 * RabbitMQ scans every application in its plugins directory while booting; the Debian package
 * ships ~70, and skipping the unused ones saves over a second per start. Returns false (use the
 * full directory) when an application's metadata cannot be read, e.g. a packed .ez plugin.
 */
export async function linkRequiredPlugins(
  pluginsDir: string,
  targetDir: string,
  rootApps: readonly string[],
): Promise<boolean> {
  const dirByApp = new Map<string, string>();
  for (const entry of readdirSync(pluginsDir, { withFileTypes: true })) {
    const match = /^(.+)-\d[^-]*$/.exec(entry.name);
    if (match?.[1] && entry.isDirectory()) dirByApp.set(match[1], entry.name);
  }

  const needed = new Set<string>();
  const visit = (app: string): boolean => {
    if (needed.has(app)) return true;
    const dir = dirByApp.get(app);
    // Not a plugin: an OTP application such as kernel or ssl, which Erlang provides.
    if (!dir) return !app.startsWith('rabbit');
    needed.add(app);
    let appFile: string;
    try {
      appFile = readFileSync(join(pluginsDir, dir, 'ebin', `${app}.app`), 'utf8');
    } catch {
      return false;
    }
    const deps = /\{applications,\s*\[([^\]]*)\]/.exec(appFile)?.[1] ?? '';
    return deps
      .split(',')
      .map((dep) => dep.trim())
      .filter(Boolean)
      .every(visit);
  };
  if (!rootApps.every(visit)) return false;

  await mkdir(targetDir, { recursive: true });
  for (const app of needed) {
    const dir = dirByApp.get(app) as string;
    await symlink(join(pluginsDir, dir), join(targetDir, dir));
  }
  return true;
}
