import { createServer } from 'node:http';
import { listenOnLoopback } from './test-issuer';

export interface RequestRecorder {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Requests received so far, e.g. to prove a `jku` header was never followed. */
  readonly requests: ReadonlyArray<{ method: string; url: string }>;
  close(): Promise<void>;
}

/** An HTTP listener on 127.0.0.1 that answers 404 to everything and remembers what it got. */
export async function createRequestRecorder(): Promise<RequestRecorder> {
  const requests: Array<{ method: string; url: string }> = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    res.writeHead(404).end();
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
