import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An attacker's server that `jku`/`x5u` headers point at; every request to it is counted. */
export interface AttackerListener {
  /** `http://127.0.0.1:<port>/jwks.json` */
  jwksUrl: string;
  /** `http://127.0.0.1:<port>/cert.pem` */
  certificateUrl: string;
  /** Requests received, on any path. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startAttackerListener(jwks: unknown): Promise<AttackerListener> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    jwksUrl: `${base}/jwks.json`,
    certificateUrl: `${base}/cert.pem`,
    get requests() {
      return requests;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
