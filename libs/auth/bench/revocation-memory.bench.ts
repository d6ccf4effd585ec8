/**
 * Memory of InMemoryRevocationList per 100 000 entries of each kind, measured as the growth of
 * the V8 heap after a forced GC. Run: npm run bench:revocation-memory (node --expose-gc).
 * The last line of output is one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { InMemoryRevocationList } from '../src';

const ENTRIES = 100_000;

// Ids as they arrive in practice: parsed out of an event's JSON, so flat strings.
const id = () => JSON.parse(`"${randomUUID()}"`) as string;

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function measure(fill: (list: InMemoryRevocationList, expiresAt: number) => void): number {
  const list = new InMemoryRevocationList({ maxTokenLifetimeSeconds: 300 });
  const before = heapAfterGc();
  fill(list, Math.floor(Date.now() / 1000) + 300);
  const after = heapAfterGc();
  if (list.size !== ENTRIES) throw new Error(`expected ${ENTRIES} entries, got ${list.size}`);
  return after - before;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

const sessions = measure((list, exp) => {
  for (let i = 0; i < ENTRIES; i++) list.revokeSession(id(), exp);
});
const users = measure((list, exp) => {
  for (let i = 0; i < ENTRIES; i++) list.revokeUser(id(), exp - 300, exp);
});
const tokens = measure((list, exp) => {
  for (let i = 0; i < ENTRIES; i++) list.revokeToken(id(), exp);
});

console.log('| 100 000 revoked … | heap (MiB) | bytes per entry |');
console.log('| --- | ---: | ---: |');
for (const [kind, bytes] of [
  ['sessions (UUID sid)', sessions],
  ['users (UUID sub)', users],
  ['token ids (UUID jti)', tokens],
] as const) {
  console.log(`| ${kind} | ${mib(bytes)} | ${Math.round(bytes / ENTRIES)} |`);
}
console.log(
  JSON.stringify({
    benchmark: 'revocation-memory',
    entries: ENTRIES,
    sessionsMiB: mib(sessions),
    usersMiB: mib(users),
    tokensMiB: mib(tokens),
  }),
);
