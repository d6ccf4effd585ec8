// One request followed across services and the broker, as a user sees it in Jaeger: the shared
// stack runs with tracing on (global-setup.ts) and exports over OTLP/HTTP to a receiver.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  declaredFamilies,
  isExported,
  metricNamesIn,
  type ReceivedSpan,
  receivedSpans,
  waitFor,
} from '@dja/test-infra';
import { parse } from 'yaml';
import { ApiClient, registerAndLogIn, type TestUser } from '@dja/stack-client';
import { sharedStack, type StackInfo } from './support/stack-info';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

let stack: StackInfo;
let api: ApiClient;
let user: TestUser;

beforeAll(async () => {
  stack = sharedStack();
  api = new ApiClient(stack.gatewayUrl);
  user = await registerAndLogIn(api, 'Traced User');
});

/** A W3C traceparent as a caller that already traces (a browser, another system) sends it. */
function callerTrace() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function spansOf(traceId: string): Promise<ReceivedSpan[]> {
  const url = stack.otlpReceiverUrl;
  if (!url) throw new Error('the shared stack runs without an OTLP receiver');
  return (await receivedSpans(url)).filter((span) => span.traceId === traceId);
}

/** Waits until the trace holds a span that `matches`, then returns the whole trace. */
async function traceWith(
  traceId: string,
  expected: ReadonlyArray<(span: ReceivedSpan) => boolean>,
  what: string,
): Promise<ReceivedSpan[]> {
  let spans: ReceivedSpan[] = [];
  // Each service exports in batches of its own: wait until every expected span has arrived.
  const complete = () => expected.every((matches) => spans.some(matches));
  await waitFor(async () => ((spans = await spansOf(traceId)), complete()), {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: `${what} in trace ${traceId}`,
  });
  return spans;
}

const service = (span: ReceivedSpan) => span.resource['service.name'];

/** The span's ancestors within the trace, nearest first. */
function ancestors(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent;) {
    chain.push(parent);
    parent = byId.get(parent.parentSpanId ?? '');
  }
  return chain;
}

function only(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean, what: string) {
  const found = spans.filter(predicate);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${what}, found ${found.length}: ${JSON.stringify(spans.map((s) => [service(s), s.name]))}`,
    );
  }
  return found[0]!;
}

/** Every JSON log line the replicas of `app` wrote. */
async function logLines(app: string): Promise<Array<Record<string, unknown>>> {
  const files = (await readdir(stack.logDir)).filter((file) => file.startsWith(`${app}-`));
  const lines = await Promise.all(
    files.map(async (file) => (await readFile(join(stack.logDir, file), 'utf8')).split('\n')),
  );
  return lines.flat().flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe('one trace per request', () => {
  it('follows POST /orders through the outbox, the broker, notifications and its profile lookup in one trace', async () => {
    const caller = callerTrace();
    const requestId = `e2e-trace-${randomUUID()}`;
    const created = await api.call<{ id: string }>('/orders', {
      token: user.tokens.access_token,
      json: { items: [{ sku: 'TRACE-1', quantity: 1 }] },
      headers: { traceparent: caller.traceparent, 'x-request-id': requestId },
    });
    expect(created.status).toBe(201);

    const isOrdersServer = (s: ReceivedSpan) =>
      service(s) === 'orders-service' && s.kind === SERVER;
    const isProducer = (s: ReceivedSpan) => s.name === 'publish order.created';
    const isConsumer = (s: ReceivedSpan) => s.name === 'process order.created';
    const isProfileServer = (s: ReceivedSpan) =>
      service(s) === 'profile-service' && s.kind === SERVER;
    const trace = await traceWith(
      caller.traceId,
      [isOrdersServer, isProducer, isConsumer, isProfileServer],
      'the spans of orders, the relay, notifications and the profile lookup',
    );

    // The caller's trace went on through nginx: the orders server span is the caller's child.
    const ordersServer = only(trace, isOrdersServer, 'orders server span');
    expect(ordersServer.parentSpanId).toBe(caller.spanId);
    expect(ordersServer.attributes['http.response.header.x-request-id']).toEqual([requestId]);
    expect(
      trace.some((s) => service(s) === 'orders-service' && s.name === 'auth.verify_token'),
    ).toBe(true);
    // pg and express are patched in the built bundle, whose node_modules stay external.
    expect(
      trace.some(
        (s) =>
          service(s) === 'orders-service' &&
          (s.attributes['db.system'] ?? s.attributes['db.system.name']) === 'postgresql',
      ),
    ).toBe(true);

    // The relay's publish continues the request's trace, from the context stored in the outbox.
    const producer = only(trace, isProducer, 'producer span');
    expect(producer.kind).toBe(PRODUCER);
    expect(service(producer)).toBe('orders-service');
    expect(ancestors(producer, trace)).toContainEqual(ordersServer);

    // The consumer's span is the producer's child, in another process.
    const consumer = only(trace, isConsumer, 'consumer span');
    expect(consumer.kind).toBe(CONSUMER);
    expect(service(consumer)).toBe('notifications-service');
    expect(consumer.parentSpanId).toBe(producer.spanId);

    // The profile lookup: a client span in notifications, the server span in profile-service.
    const profileServer = only(trace, isProfileServer, 'profile server span');
    const [lookup] = ancestors(profileServer, trace);
    expect(lookup?.kind).toBe(CLIENT);
    expect(service(lookup!)).toBe('notifications-service');
    expect(ancestors(profileServer, trace)).toContainEqual(consumer);

    const pids = new Set(
      [ordersServer, consumer, profileServer].map((s) => s.resource['process.pid']),
    );
    expect(pids.size).toBe(3);

    // Every line a service wrote inside the trace carries its id; each of the three wrote some.
    for (const app of ['orders-service', 'notifications-service', 'profile-service']) {
      let traced: Array<Record<string, unknown>> = [];
      await waitFor(
        async () =>
          (traced = (await logLines(app)).filter((l) => l.trace_id === caller.traceId)).length > 0,
        { timeoutMs: 10_000, description: `a ${app} log line with trace_id ${caller.traceId}` },
      );
      const spanIds = new Set(trace.filter((s) => service(s) === app).map((s) => s.spanId));
      for (const line of traced) expect(spanIds.has(String(line.span_id))).toBe(true);
    }
    const requestLines = (await logLines('orders-service')).filter(
      (l) => (l.req as { id?: string } | undefined)?.id === requestId,
    );
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) expect(line.trace_id).toBe(caller.traceId);
  });

  it('records a refused token as a failed verification span with its error code, never the token', async () => {
    const caller = callerTrace();
    const [header, payload, signature] = user.tokens.access_token.split('.');
    const forged = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
    const refused = await api.call('/orders', {
      token: forged,
      headers: { traceparent: caller.traceparent },
    });
    expect(refused.status).toBe(401);

    const isVerification = (s: ReceivedSpan) => s.name === 'auth.verify_token';
    const trace = await traceWith(caller.traceId, [isVerification], 'the verification span');
    const verification = only(trace, isVerification, 'verification span');
    expect(verification.statusCode).toBe(ERROR);
    expect(verification.attributes).toMatchObject({
      'auth.outcome': 'refused',
      'auth.error_code': 'ERR_TOKEN_SIGNATURE',
      'auth.cache': 'miss',
    });
    expect(typeof verification.attributes['auth.kid']).toBe('string');
    expect(JSON.stringify(trace)).not.toContain(signature!.slice(0, 20));
    expect(JSON.stringify(trace)).not.toContain(payload);
  });

  it('starts a trace in the first service when the request carries none, with its request id', async () => {
    const requestId = `e2e-untraced-${randomUUID()}`;
    const answered = await api.call('/orders', {
      token: user.tokens.access_token,
      headers: { 'x-request-id': requestId },
    });
    expect(answered.status).toBe(200);
    let server: ReceivedSpan | undefined;
    await waitFor(
      async () =>
        (server = (await receivedSpans(stack.otlpReceiverUrl!)).find(
          (s) =>
            s.kind === SERVER &&
            (s.attributes['http.response.header.x-request-id'] as string[] | undefined)?.[0] ===
              requestId,
        )) !== undefined,
      { timeoutMs: 30_000, description: `the server span of request ${requestId}` },
    );
    expect(service(server!)).toBe('orders-service');
    expect(server!.parentSpanId).toBeUndefined();
  });
});

describe('metrics the dashboard and the alerts rely on', () => {
  const OBSERVABILITY = join(__dirname, '../../../infra/observability');

  it('are exported by the running replicas, under the names the dashboard and alert rules query', async () => {
    const dashboard = JSON.parse(
      await readFile(join(OBSERVABILITY, 'grafana/dashboards/distributed-jwt-auth.json'), 'utf8'),
    ) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const alerts = parse(await readFile(join(OBSERVABILITY, 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ expr: string }> }>;
    };
    const queried = new Set([
      ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNamesIn(t.expr))),
      ...alerts.groups.flatMap((g) => g.rules.flatMap((r) => metricNamesIn(r.expr))),
    ]);
    expect(queried.size).toBeGreaterThan(10);

    const families = new Map<string, string>();
    for (const replica of stack.replicas) {
      const response = await fetch(`${replica.operationsUrl}/metrics`);
      expect(response.status).toBe(200);
      for (const [name, kind] of declaredFamilies(await response.text())) families.set(name, kind);
    }
    expect([...queried].filter((name) => !isExported(name, families))).toEqual([]);
  });
});
