import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as received over OTLP/HTTP JSON, flattened with its resource's attributes. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT; spans arrive at `${url}/v1/traces`. */
  url: string;
  spans(): ReceivedSpan[];
  stop(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
type OtlpAttributes = Array<{ key: string; value: OtlpValue }> | undefined;

/**
 * A minimal OTLP/HTTP receiver for tests: what a collector would receive, in memory. It accepts
 * the JSON encoding (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and also serves what it holds as
 * JSON at `GET /spans`, so test files can read spans received by a global setup's receiver.
 */
export async function startOtlpReceiver({
  keepSpans = true,
}: {
  /** false: a sink that answers every export (any encoding) and keeps nothing; for benchmarks. */
  keepSpans?: boolean;
} = {}): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const server = createServer(async (req, res) => {
    if (!keepSpans && req.method === 'POST') {
      req.resume();
      req.once('end', () => res.writeHead(200).end());
      return;
    }
    if (req.method === 'GET' && req.url === '/spans') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      res.writeHead(415).end('this test receiver reads OTLP/HTTP JSON only');
      return;
    }
    try {
      received.push(...flatten(JSON.parse(await readBody(req))));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch (error) {
      res.writeHead(400).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The spans a receiver started elsewhere (e.g. by a Jest global setup) holds now. */
export async function receivedSpans(receiverUrl: string): Promise<ReceivedSpan[]> {
  const response = await fetch(`${receiverUrl}/spans`);
  if (!response.ok) throw new Error(`OTLP receiver answered ${response.status}`);
  return (await response.json()) as ReceivedSpan[];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface ExportTraceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttributes };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        status?: { code?: number };
        attributes?: OtlpAttributes;
      }>;
    }>;
  }>;
}

function flatten(request: ExportTraceRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) => {
    const resourceAttributes = attributesOf(resource?.attributes);
    return (scopeSpans ?? []).flatMap(({ spans }) =>
      (spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind ?? 0,
        statusCode: span.status?.code ?? 0,
        attributes: attributesOf(span.attributes),
        resource: resourceAttributes,
      })),
    );
  });
}

function attributesOf(attributes: OtlpAttributes): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

function valueOf(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}
