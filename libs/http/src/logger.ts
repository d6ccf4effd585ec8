import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  replicaId: string;
  level?: LevelWithSilent;
  /** Where to write; stdout by default. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** Everything that could hold a credential is censored before a line leaves the process. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.token',
];

/** Structured JSON logs, one line per event, tagged with the service and replica. */
export function createLogger({
  service,
  replicaId,
  level = 'info',
  destination,
}: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service, replica: replicaId },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
