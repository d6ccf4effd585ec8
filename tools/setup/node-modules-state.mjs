// Prints why node_modules does not match package-lock.json ("missing", "out of date") and exits
// 1, or exits 0 silently when it matches. Plain JavaScript without dependencies: it runs before
// `npm ci`, on any Node.js.
//
// npm ci writes node_modules/.package-lock.json, the packages it installed; it matches when every
// locked package is installed at its locked version (optional ones, such as native builds for
// other platforms, may be absent) and nothing else is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path) => JSON.parse(readFileSync(join(root, path), 'utf8')).packages;

let installed;
try {
  installed = read('node_modules/.package-lock.json');
} catch {
  console.log('missing');
  process.exit(1);
}
const locked = read('package-lock.json');
const differs =
  Object.entries(locked).some(
    ([path, entry]) =>
      path !== '' &&
      (installed[path] ? installed[path].version !== entry.version : !entry.optional),
  ) || Object.keys(installed).some((path) => !(path in locked));
if (differs) {
  console.log('out of date');
  process.exit(1);
}
