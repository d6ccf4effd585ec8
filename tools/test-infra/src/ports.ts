import { createServer } from 'node:net';

// Ports handed out by this process recently. The kernel may return the same ephemeral port to
// two quick bind(0) calls once the first socket is closed, so a broker that needs three ports
// at once could otherwise get a duplicate.
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that nothing listens on right now (bind to port 0, then release). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindEphemeralPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: the kernel kept returning ports already handed out');
}

function bindEphemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
