/** One request of a load run, as the generator issues it. */
export interface LoadRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One answered (or failed) request, with when it started and ended (ms since the run began). */
export interface LoadSample {
  startMs: number;
  endMs: number;
  /** HTTP status, or 0 when no answer came (connection error, timeout). */
  status: number;
  servedBy: string | null;
  /** For a failed request: its `WWW-Authenticate` or the start of its body, to say why. */
  detail?: string;
}

export interface LoadResult {
  requests: number;
  /** Answers by status; `0` counts requests that got no HTTP answer. */
  byStatus: Record<number, number>;
  /** Requests without a 2xx answer. */
  failures: number;
  durationMs: number;
  samples: LoadSample[];
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  /** Requests in flight at once. */
  connections: number;
  /** Stop issuing after this long. */
  durationMs: number;
  /** Stop issuing after this many, whatever the time. */
  maxRequests: number;
  /** The i-th request to issue. */
  next: (i: number) => LoadRequest;
  /** Per-request timeout; a request that takes longer counts as failed. */
  timeoutMs?: number;
}

/**
 * A small closed-loop load generator on global fetch: `connections` loops, each issuing its next
 * request when the previous one is answered, bounded in count and time, 127.0.0.1 only. It keeps
 * every sample so a test can ask what happened around a moment (a kill, a rotation).
 */
export class Load {
  private readonly samples: LoadSample[] = [];
  private issued = 0;
  private inFlightNow = 0;
  private t0 = 0;
  private run: Promise<LoadResult> | undefined;

  constructor(private readonly options: LoadOptions) {}

  /** Milliseconds since the run began. */
  elapsed(): number {
    return performance.now() - this.t0;
  }

  /** Requests issued and not yet answered, right now. */
  inFlight(): number {
    return this.inFlightNow;
  }

  start(): this {
    if (this.run) return this;
    this.t0 = performance.now();
    const loops = Array.from({ length: this.options.connections }, () => this.loop());
    this.run = Promise.all(loops).then(() => this.result());
    return this;
  }

  done(): Promise<LoadResult> {
    return this.start().run!;
  }

  private async loop(): Promise<void> {
    const { durationMs, maxRequests, next, timeoutMs = 10_000 } = this.options;
    while (this.elapsed() < durationMs && this.issued < maxRequests) {
      const request = next(this.issued++);
      const startMs = this.elapsed();
      this.inFlightNow += 1;
      let status = 0;
      let servedBy: string | null = null;
      let detail: string | undefined;
      try {
        const response = await fetch(request.url, {
          method: request.method ?? 'GET',
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await response.text();
        status = response.status;
        servedBy = response.headers.get('x-served-by');
        if (!response.ok) {
          detail = `${new URL(request.url).pathname} ${response.headers.get('www-authenticate') ?? body.slice(0, 200)}`;
        }
      } catch (error) {
        status = 0;
        detail = `${new URL(request.url).pathname} ${(error as Error).message}`;
      } finally {
        this.inFlightNow -= 1;
      }
      this.samples.push({ startMs, endMs: this.elapsed(), status, servedBy, detail });
    }
  }

  private result(): LoadResult {
    const byStatus: Record<number, number> = {};
    for (const { status } of this.samples) byStatus[status] = (byStatus[status] ?? 0) + 1;
    const latencies = this.samples.map((s) => s.endMs - s.startMs).sort((a, b) => a - b);
    const percentile = (p: number) =>
      latencies.length === 0
        ? 0
        : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    return {
      requests: this.samples.length,
      byStatus,
      failures: this.samples.filter((s) => s.status < 200 || s.status >= 300).length,
      durationMs: Math.round(this.elapsed()),
      samples: this.samples,
      p50Ms: Math.round(percentile(0.5)),
      p99Ms: Math.round(percentile(0.99)),
    };
  }
}

/** `{200: 812, 0: 1}` as `200×812, none×1`, for reports and assertion messages. */
export function formatStatuses(byStatus: Record<number, number>): string {
  return Object.entries(byStatus)
    .map(([status, count]) => `${status === '0' ? 'no answer' : status}×${count}`)
    .join(', ');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why requests failed: each distinct `servedBy detail` with its count, for reports. */
export function failureDetails(result: LoadResult): string {
  const counts = new Map<string, number>();
  for (const sample of result.samples) {
    if (sample.detail === undefined) continue;
    const key = `${sample.servedBy ?? 'gateway'}: ${sample.detail}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${count}× ${key}`).join('; ') || 'none';
}
