import { Writable } from 'node:stream';

/** A stream that keeps every chunk written to it: give it to a logger, then read its lines. */
export function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}
