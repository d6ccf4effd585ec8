/**
 * Verifications per second of the middleware's verify path (extract the bearer token, verify,
 * check revocation), uncached and cached, against raw RS256 `crypto.verify` on the same key in
 * the same run, at concurrency 1 and 64. Absolute numbers depend on the machine; the ratios are
 * what we compare. Method and results: docs/benchmarks.md.
 *
 *   npm run bench -- verify            (BENCH_SECONDS=0.5 BENCH_ROUNDS=9 by default)
 */
import { type KeyObject, verify } from 'node:crypto';
import { loadavg } from 'node:os';
import type { Request } from 'express';
import { importJWK, jwtVerify } from 'jose';
import { InMemoryRevocationList, authenticate, createAccessTokenVerifier } from '@dja/auth';
import { createTestIssuer } from '@dja/auth/testing';
import { type BenchmarkResult, figure, runBenchmark } from '../src/benchmark';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const TOKENS = 512;

type Operation = (i: number) => unknown;

/** Runs `op` from `concurrency` loops for a fixed time; returns completed operations per second. */
async function throughput(
  op: Operation,
  concurrency: number,
  seconds: number,
): Promise<{ perSecond: number; perCpuSecond: number }> {
  let completed = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const loop = async (first: number) => {
    for (let i = first; performance.now() < deadline; i += concurrency) {
      await op(i);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, n) => loop(n)));
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  // Per CPU-second of this process (all its threads): what the work costs, however much of the
  // machine other processes take meanwhile.
  return {
    perSecond: completed / elapsed,
    perCpuSecond: completed / ((used.user + used.system) / 1e6),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function rawVerifyAsync(input: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) =>
    verify('sha256', input, key, signature, (error, ok) => (error ? reject(error) : resolve(ok))),
  );
}

/** Just what `requireAuth` reads from an Express request. */
function bearerRequest(token: string): Request {
  return {
    headers: { authorization: `Bearer ${token}` },
    rawHeaders: ['Host', '127.0.0.1', 'Authorization', `Bearer ${token}`],
    url: '/orders',
    originalUrl: '/orders',
    body: undefined,
    is: () => false,
  } as unknown as Request;
}

/** 1, 5 and 15 minute load averages: the share of the 2 cores other processes took. */
const loadNow = () => loadavg().map((load) => Math.round(load * 10) / 10);

async function main(): Promise<BenchmarkResult> {
  const loadBefore = loadNow();
  const issuer = await createTestIssuer({ tokenLifetimeSeconds: 3600 });
  const tokens = Array.from({ length: TOKENS }, (_, n) =>
    issuer.mint({ sub: `user-${n}`, sid: `session-${n}`, scope: 'orders:read orders:write' }),
  );
  const requests = tokens.map(bearerRequest);
  const parts = tokens.map((token) => {
    const lastDot = token.lastIndexOf('.');
    return {
      input: Buffer.from(token.slice(0, lastDot)),
      signature: Buffer.from(token.slice(lastDot + 1), 'base64url'),
    };
  });
  const publicKey = issuer.currentKey.publicKey;
  const joseKey = await importJWK(issuer.currentKey.publicJwk, 'RS256');

  const common = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri };
  const uncached = createAccessTokenVerifier({ ...common, verifiedCacheMaxEntries: 0 });
  const cached = createAccessTokenVerifier(common);
  await Promise.all([uncached.ready(), cached.ready()]);

  // A realistic revocation list: a few thousand entries, none matching.
  const revocations = new InMemoryRevocationList({ maxTokenLifetimeSeconds: 3600 });
  for (let n = 0; n < 3000; n += 1) {
    revocations.revokeSession(`revoked-session-${n}`);
    revocations.revokeToken(`revoked-token-${n}`);
    revocations.revokeUser(`revoked-user-${n}`, Math.floor(Date.now() / 1000));
  }
  const auth = { revocations };
  const at = <T>(list: T[], i: number) => list[i % list.length] as T;

  const scenarios: Record<string, Operation> = {
    'raw crypto.verify, sync': (i) =>
      verify('sha256', at(parts, i).input, publicKey, at(parts, i).signature),
    'raw crypto.verify, async': (i) =>
      rawVerifyAsync(at(parts, i).input, publicKey, at(parts, i).signature),
    'jose.jwtVerify': (i) =>
      jwtVerify(at(tokens, i), joseKey, {
        algorithms: ['RS256'],
        issuer: issuer.issuer,
        audience: issuer.audience,
        typ: 'at+jwt',
        clockTolerance: 5,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      }),
    'requireAuth path, uncached': (i) => authenticate(at(requests, i), uncached, auth),
    'requireAuth path, cached': (i) => authenticate(at(requests, i), cached, auth),
  };
  const plan: Array<[string, number]> = [
    ['raw crypto.verify, sync', 1],
    ['raw crypto.verify, async', 1],
    ['jose.jwtVerify', 1],
    ['requireAuth path, uncached', 1],
    ['requireAuth path, cached', 1],
    ['raw crypto.verify, async', 64],
    ['jose.jwtVerify', 64],
    ['requireAuth path, uncached', 64],
    ['requireAuth path, cached', 64],
  ];

  // Sanity and warm-up: every path accepts every token before anything is timed.
  for (const [name, op] of Object.entries(scenarios)) {
    for (let i = 0; i < TOKENS; i += 1) {
      if ((await op(i)) === false) throw new Error(`${name} rejected a valid token`);
    }
  }

  // Short slices, interleaved: on a shared 2-core machine load drifts, so each round's rates are
  // divided by the same round's baseline and the median ratio over all rounds is reported.
  // Each round starts one row further down the plan: a row pays for what the row before it left
  // behind (garbage, a major GC under way, pool threads winding down), and in a fixed order
  // every round would bill the same row for the same neighbour.
  const rates = new Map<string, number[]>();
  const ratios = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, value: number) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  for (let round = 0; round < ROUNDS; round += 1) {
    const measured = new Map<string, number>();
    const shift = round % plan.length;
    for (const [name, concurrency] of [...plan.slice(shift), ...plan.slice(0, shift)]) {
      const { perSecond, perCpuSecond } = await throughput(
        scenarios[name] as Operation,
        concurrency,
        SECONDS,
      );
      measured.set(`${name}|${concurrency}`, perSecond);
      push(rates, `${name}|${concurrency}|cpu`, perCpuSecond);
      push(rates, `${name}|${concurrency}`, perSecond);
    }
    const rawSync = measured.get('raw crypto.verify, sync|1') as number;
    const rawAsync1 = measured.get('raw crypto.verify, async|1') as number;
    const rawAsync64 = measured.get('raw crypto.verify, async|64') as number;
    for (const [key, perSecond] of measured) {
      const concurrency = key.endsWith('|1') ? 1 : 64;
      push(ratios, key, perSecond / (concurrency === 1 ? rawSync : rawAsync64));
      if (concurrency === 1) push(ratios, `${key}|vs async`, perSecond / rawAsync1);
    }
  }
  const rate = (name: string, concurrency: number) =>
    median(rates.get(`${name}|${concurrency}`) ?? []);
  const cpuRate = (name: string, concurrency: number) =>
    median(rates.get(`${name}|${concurrency}|cpu`) ?? []);
  const ratio = (name: string, concurrency: number, suffix = '') =>
    Math.round(median(ratios.get(`${name}|${concurrency}${suffix}`) ?? []) * 100) / 100;

  console.error(
    `Node ${process.version}, ${ROUNDS} rounds of ${SECONDS}s per row, medians; load average ${loadBefore.join(' ')} before, ${loadNow().join(' ')} after`,
  );
  console.error('| path | concurrency | verifications/s | vs raw baseline |');
  console.error('| --- | ---: | ---: | ---: |');
  for (const [name, concurrency] of plan) {
    const perSecond = Math.round(rate(name, concurrency));
    console.error(`| ${name} | ${concurrency} | ${perSecond} | ${ratio(name, concurrency)}x |`);
  }
  console.error(
    'baseline: sync crypto.verify at concurrency 1, async crypto.verify at concurrency 64',
  );
  await issuer.close();

  const rawSync = 'raw sync crypto.verify, 1 at a time';
  const rawAsync64 = 'raw async crypto.verify, 64 at a time';
  return {
    benchmark: 'verify',
    figures: [
      figure({
        key: 'uncachedC64',
        label: 'uncached, concurrency 64',
        value: ratio('requireAuth path, uncached', 64),
        unit: 'x',
        judgedBy: rawAsync64,
        target: { atLeast: 0.9 },
      }),
      figure({
        key: 'uncachedC1',
        label: 'uncached, concurrency 1',
        value: ratio('requireAuth path, uncached', 1),
        unit: 'x',
        judgedBy: rawSync,
        target: { atLeast: 0.8 },
      }),
      figure({
        key: 'cachedC1',
        label: 'cached, concurrency 1',
        value: ratio('requireAuth path, cached', 1),
        unit: 'x',
        judgedBy: rawSync,
        target: { atLeast: 5 },
      }),
      figure({
        key: 'cachedC64',
        label: 'cached, concurrency 64',
        value: ratio('requireAuth path, cached', 64),
        unit: 'x',
        judgedBy: rawAsync64,
        target: { atLeast: 5 },
      }),
      figure({
        key: 'uncachedC1PerCpu',
        label: 'uncached, concurrency 1, per CPU-second',
        value:
          Math.round(
            (cpuRate('requireAuth path, uncached', 1) / cpuRate('raw crypto.verify, sync', 1)) *
              100,
          ) / 100,
        unit: 'x',
        judgedBy: 'raw sync crypto.verify per CPU-second',
      }),
      figure({
        key: 'uncachedC64PerCpu',
        label: 'uncached, concurrency 64, per CPU-second',
        value:
          Math.round(
            (cpuRate('requireAuth path, uncached', 64) / cpuRate('raw crypto.verify, async', 64)) *
              100,
          ) / 100,
        unit: 'x',
        judgedBy: 'raw async crypto.verify per CPU-second, 64 at a time',
      }),
      figure({
        key: 'joseC64',
        label: 'jose.jwtVerify, concurrency 64',
        value: ratio('jose.jwtVerify', 64),
        unit: 'x',
        judgedBy: rawAsync64,
      }),
    ],
    details: {
      rounds: ROUNDS,
      secondsPerSlice: SECONDS,
      rows: plan.map(([name, concurrency]) => ({
        path: name,
        concurrency,
        perSecond: Math.round(rate(name, concurrency)),
        ratio: ratio(name, concurrency),
      })),
      loadAverage: { before: loadBefore, after: loadNow() },
      c1VsRawAsync: {
        uncached: ratio('requireAuth path, uncached', 1, '|vs async'),
        jose: ratio('jose.jwtVerify', 1, '|vs async'),
      },
    },
  };
}

runBenchmark(main);
