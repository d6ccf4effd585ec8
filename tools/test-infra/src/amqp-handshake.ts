import { connect } from 'node:net';

const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');
const FRAME_METHOD = 1;
const CONNECTION_CLASS = 10;
const CONNECTION_START = 10;

/**
 * Opens a TCP connection, sends the AMQP 0-9-1 protocol header and resolves once the server
 * answers with a Connection.Start method frame, i.e. the broker is ready for clients. An open
 * port alone is not enough: RabbitMQ may accept TCP before it can serve AMQP.
 */
export function amqpHandshake(port: number, host = '127.0.0.1', timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let received = Buffer.alloc(0);
    const finish = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no AMQP answer within ${timeoutMs} ms`)));
    socket.once('error', finish);
    socket.once('close', () => finish(new Error('connection closed before Connection.Start')));
    socket.once('connect', () => socket.write(PROTOCOL_HEADER));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Frame header: type (1 byte), channel (2), size (4); then class id (2), method id (2).
      if (received.length < 11) return;
      const isConnectionStart =
        received.readUInt8(0) === FRAME_METHOD &&
        received.readUInt16BE(1) === 0 &&
        received.readUInt16BE(7) === CONNECTION_CLASS &&
        received.readUInt16BE(9) === CONNECTION_START;
      finish(isConnectionStart ? undefined : new Error('not an AMQP 0-9-1 Connection.Start'));
    });
  });
}
