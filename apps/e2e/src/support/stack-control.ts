// Jest hands test files plain data only, and the shared stack's processes belong to the global
// setup. A file that stops a replica or the broker (and starts it again, leaving the stack as it
// found it) asks the global setup over HTTP on 127.0.0.1.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stack } from '@dja/stack';

type Action = 'stop' | 'start';

/**
 * Serves `POST /replicas/{name}/{stop|start}` and `POST /broker/{stop|start}` for `stack`; each
 * answers 204 once done (a replica is started when it is ready), 404 for an unknown part.
 */
export async function serveStackControl(
  stack: Stack,
): Promise<{ url: string; close(): Promise<void> }> {
  const act = async (path: string): Promise<boolean> => {
    const [, part, name, action] = path.split('/') as [string, string, string, Action];
    if (part === 'broker' && (name === 'stop' || name === 'start')) {
      await (name === 'stop' ? stack.rabbitmq.stopBroker() : stack.rabbitmq.startBroker());
      return true;
    }
    const replica = stack.replicas.find((candidate) => candidate.name === name);
    if (part !== 'replicas' || !replica || (action !== 'stop' && action !== 'start')) return false;
    await (action === 'stop' ? replica.stop() : replica.start());
    return true;
  };
  const server = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    act(req.url ?? '').then(
      (done) => res.writeHead(done ? 204 : 404).end(),
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The test files' side of `serveStackControl`. */
export class StackControl {
  constructor(private readonly url: string) {}

  stopReplica(name: string): Promise<void> {
    return this.post(`/replicas/${name}/stop`);
  }

  /** Resolves once the replica is ready again. */
  startReplica(name: string): Promise<void> {
    return this.post(`/replicas/${name}/start`);
  }

  stopBroker(): Promise<void> {
    return this.post('/broker/stop');
  }

  startBroker(): Promise<void> {
    return this.post('/broker/start');
  }

  private async post(path: string): Promise<void> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST' });
    if (response.status !== 204) {
      throw new Error(`stack control ${path}: ${response.status} ${await response.text()}`);
    }
  }
}
