/**
 * Memory of InMemoryRevocationList per 100 000 entries of each kind, measured as the growth of
 * the V8 heap after a forced GC. Run: npm run bench -- revocation-memory (node --expose-gc).
 */
import { randomUUID } from 'node:crypto';
import { InMemoryRevocationList } from '@dja/auth';
import { type BenchmarkResult, figure, runBenchmark } from '../src/benchmark';

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

async function main(): Promise<BenchmarkResult> {
  const sessions = measure((list, exp) => {
    for (let i = 0; i < ENTRIES; i++) list.revokeSession(id(), exp);
  });
  const users = measure((list, exp) => {
    for (let i = 0; i < ENTRIES; i++) list.revokeUser(id(), exp - 300, exp);
  });
  const tokens = measure((list, exp) => {
    for (let i = 0; i < ENTRIES; i++) list.revokeToken(id(), exp);
  });

  console.error('| 100 000 revoked … | heap (MiB) | bytes per entry |');
  console.error('| --- | ---: | ---: |');
  for (const [kind, bytes] of [
    ['sessions (UUID sid)', sessions],
    ['users (UUID sub)', users],
    ['token ids (UUID jti)', tokens],
  ] as const) {
    console.error(`| ${kind} | ${mib(bytes)} | ${Math.round(bytes / ENTRIES)} |`);
  }
  const perEntry = (key: string, label: string, bytes: number) =>
    figure({ key, label, value: Math.round(bytes / ENTRIES), unit: 'bytes per entry' });
  return {
    benchmark: 'revocation-memory',
    figures: [
      perEntry('session', 'revoked session (UUID sid)', sessions),
      perEntry('user', 'revoked user (UUID sub)', users),
      perEntry('token', 'revoked token id (UUID jti)', tokens),
    ],
    details: {
      entries: ENTRIES,
      sessionsMiB: mib(sessions),
      usersMiB: mib(users),
      tokensMiB: mib(tokens),
    },
  };
}

runBenchmark(main);
