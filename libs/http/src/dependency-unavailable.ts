/**
 * Recognises errors that mean "a dependency (database, broker, another service) cannot be
 * reached right now", so that the client gets 503 with Retry-After instead of a 500. These are
 * failures of the moment, not bugs: the same request will work once the dependency is back.
 */

// Node system errors on a socket.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// PostgreSQL SQLSTATEs: 08xxx connection exceptions, 57P01-57P03 shutdown / cannot connect now,
// 53300 too many connections, 55000 "database is not currently accepting connections".
const POSTGRES_UNAVAILABLE = /^(08...|57P0[1-3]|53300|55000)$/;

// Prisma: can't reach / timed out / closed the connection / pool timeout.
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

export function isDependencyUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (typeof current !== 'object') return false;
    const { code, name, cause, originalCode } = current as {
      code?: unknown;
      name?: unknown;
      cause?: unknown;
      originalCode?: unknown;
    };
    if (name === 'PrismaClientInitializationError') return true;
    for (const value of [code, originalCode]) {
      if (typeof value !== 'string') continue;
      if (
        NETWORK_CODES.has(value) ||
        PRISMA_UNAVAILABLE.has(value) ||
        POSTGRES_UNAVAILABLE.test(value)
      ) {
        return true;
      }
    }
    // Driver adapters wrap the database error: { cause: { kind: 'postgres', originalCode } }.
    current =
      cause ?? (current as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  }
  return false;
}
