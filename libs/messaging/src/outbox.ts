import { captureTraceContext, extractTraceContext, type TraceCarrier } from '@dja/telemetry';
import type { BrokerConnection, BrokerLogger } from './broker';
import type { EventEnvelope, EventType } from './events';
import { type MessagingMetrics, NO_MESSAGING_METRICS } from './messaging-metrics';
import type { EventPublisher } from './publisher';

/**
 * The transactional outbox. A service writes each event into its own `outbox` table in the same
 * database transaction as the state change it describes; the relay then publishes pending rows
 * with publisher confirms and marks them published. A broker outage delays events, loses none.
 *
 * Every service's outbox table has the same shape (see the Prisma schemas):
 *   outbox(id uuid primary key, type text, payload jsonb, occurred_at timestamptz,
 *          published_at timestamptz null, attempts int default 0, trace_context jsonb null)
 * `payload` holds the event's `data`; the row's id is the event id. `trace_context` is the W3C
 * trace context of the code that wrote the event (null when tracing is off): the relay publishes
 * the row as part of that trace, however much later it gets to it.
 */
export interface OutboxRow {
  id: string;
  type: string;
  payload: unknown;
  occurred_at: Date;
  trace_context: TraceCarrier | null;
}

/** The subset of a Prisma client the outbox needs; any generated client satisfies it. */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface TransactionalClient extends SqlClient {
  $transaction<R>(fn: (tx: SqlClient) => Promise<R>, options?: { timeout?: number }): Promise<R>;
}

/** Writes an event, and the active trace context, into the outbox inside the caller's transaction. */
export async function enqueueEvent(tx: SqlClient, event: EventEnvelope): Promise<void> {
  const traceContext = captureTraceContext();
  await tx.$executeRawUnsafe(
    `INSERT INTO outbox (id, type, payload, occurred_at, trace_context)
     VALUES ($1::uuid, $2, $3::jsonb, $4::timestamptz, $5::jsonb)`,
    event.id,
    event.type,
    JSON.stringify(event.data),
    event.occurredAt,
    traceContext && JSON.stringify(traceContext),
  );
}

export function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type as EventType,
    occurredAt: row.occurred_at.toISOString(),
    data: row.payload,
  } as EventEnvelope;
}

export interface OutboxRelayOptions {
  db: TransactionalClient;
  publisher: EventPublisher;
  broker: BrokerConnection;
  logger: BrokerLogger;
  /** Polling interval for rows written by other replicas or left over from an outage. */
  intervalMs?: number;
  batchSize?: number;
  /**
   * How long published rows are kept (for an operator looking into what went out) before the
   * relay deletes them; 24 hours by default. Rows not yet published are never deleted.
   */
  retainPublishedMs?: number;
  /** How often the relay deletes published rows past `retainPublishedMs`. */
  purgeIntervalMs?: number;
  /** Counts publishes to retry; nothing by default. */
  metrics?: MessagingMetrics;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PURGE_BATCH = 5000;

/**
 * Publishes pending outbox rows. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so the relays of
 * several replicas share the work without publishing a row twice while it is in flight; a crash
 * after publishing and before marking leads to a re-publish, which consumers absorb by event id.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private published = 0;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    const { intervalMs = 500, purgeIntervalMs = 60_000 } = this.options;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
    this.purgeTimer = setInterval(
      () => void this.purgePublished().catch(() => undefined),
      purgeIntervalMs,
    );
    this.purgeTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.purgeTimer);
    await this.running?.catch(() => undefined);
  }

  /**
   * Deletes rows published `retainPublishedMs` or more before `now`, in batches so that a large
   * backlog never holds locks for long; without it the table grows by every event ever sent.
   * Returns how many rows were deleted. Replicas purging at once only wait on each other's locks.
   */
  async purgePublished(now: Date = new Date()): Promise<number> {
    const { db, retainPublishedMs = DAY_MS } = this.options;
    const cutoff = new Date(now.getTime() - retainPublishedMs);
    let deleted = 0;
    for (;;) {
      const batch = await db.$executeRawUnsafe(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE published_at <= $1::timestamptz LIMIT $2)`,
        cutoff.toISOString(),
        PURGE_BATCH,
      );
      deleted += batch;
      if (batch < PURGE_BATCH) return deleted;
    }
  }

  /** Events published by this relay since it started. */
  get publishedCount(): number {
    return this.published;
  }

  /**
   * Publishes what is pending now. Called right after a transaction that wrote an event so that
   * it reaches the broker in milliseconds rather than at the next poll. Concurrent calls share
   * one run, plus one more run for rows committed while the first was under way.
   */
  flush(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.rerun = false;
          while ((await this.publishBatch()) === (this.options.batchSize ?? 100));
        } while (this.rerun);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async publishBatch(): Promise<number> {
    const {
      db,
      publisher,
      broker,
      logger,
      batchSize = 100,
      metrics = NO_MESSAGING_METRICS,
    } = this.options;
    // While the broker is away rows simply wait; polling resumes them after reconnection.
    if (!broker.isConnected()) return 0;
    return db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRawUnsafe<OutboxRow[]>(
          `SELECT id::text AS id, type, payload, occurred_at, trace_context FROM outbox
           WHERE published_at IS NULL ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          batchSize,
        );
        if (rows.length === 0) return 0;
        // Each publish continues the trace of the request that wrote the row, never the poll's.
        const results = await Promise.allSettled(
          rows.map((row) =>
            publisher.publish(toEnvelope(row), { parent: extractTraceContext(row.trace_context) }),
          ),
        );
        const sent = rows.filter((_, i) => results[i]!.status === 'fulfilled').map((row) => row.id);
        const failed = rows
          .filter((_, i) => results[i]!.status === 'rejected')
          .map((row) => row.id);
        if (sent.length > 0) {
          await tx.$executeRawUnsafe(
            'UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])',
            sent,
          );
        }
        if (failed.length > 0) {
          await tx.$executeRawUnsafe(
            'UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1::uuid[])',
            failed,
          );
          metrics.publishRetried(failed.length);
          logger.warn(
            { failed: failed.length },
            'outbox events not confirmed by the broker; will retry',
          );
        }
        this.published += sent.length;
        // A partial batch ends the loop; the next poll retries the failures.
        return failed.length > 0 ? 0 : rows.length;
      },
      { timeout: 30_000 },
    );
  }
}
