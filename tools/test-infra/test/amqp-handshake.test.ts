import { createServer, type Server } from 'node:net';
import { amqpHandshake } from '../src/amqp-handshake';
import { freePort } from '../src/ports';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }),
  );
}

describe('amqpHandshake', () => {
  it('rejects when nothing listens on the port', async () => {
    await expect(amqpHandshake(await freePort())).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects a server that does not speak AMQP 0-9-1', async () => {
    const server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const port = await listen(server);
    try {
      await expect(amqpHandshake(port)).rejects.toThrow(/not an AMQP 0-9-1 Connection.Start/);
    } finally {
      server.close();
    }
  });
});
