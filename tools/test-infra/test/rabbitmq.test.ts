import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amqpHandshake } from '../src/amqp-handshake';
import { waitFor } from '../src/wait-for';
import { RABBITMQ_NOT_FOUND_MESSAGE, startRabbitMQ, type RabbitMQServer } from '../src/rabbitmq';

// Stopping and restarting need a broker of our own even where TEST_AMQP_URL names a shared one.
const ownBroker = { own: true };

describe('startRabbitMQ', () => {
  let broker: RabbitMQServer;
  beforeAll(async () => {
    broker = await startRabbitMQ(ownBroker);
  });
  afterAll(() => broker.stop());

  it('answers the AMQP 0-9-1 handshake on 127.0.0.1', async () => {
    expect(broker.url).toBe(`amqp://guest:guest@127.0.0.1:${broker.port}`);
    await expect(amqpHandshake(broker.port)).resolves.toBeUndefined();
  });

  it('comes back on the same port after a clean stop', async () => {
    await broker.stopBroker();
    await expect(amqpHandshake(broker.port)).rejects.toThrow();
    await broker.startBroker();
    await expect(amqpHandshake(broker.port)).resolves.toBeUndefined();
  });

  it('keeps its data when killed and restarted, as after a crash', async () => {
    await broker.rabbitmqctl(['add_vhost', 'survives-crash']);
    await broker.restart({ kill: true });
    await expect(amqpHandshake(broker.port)).resolves.toBeUndefined();
    expect(await broker.rabbitmqctl(['list_vhosts', '--silent'])).toContain('survives-crash');
  });

  it('refuses to start a second broker process for the same node', async () => {
    await expect(broker.startBroker()).rejects.toThrow(/already running/);
  });
});

describe('startRabbitMQ lifecycle', () => {
  it('stops for good: the port closes, a second stop is harmless, it cannot start again', async () => {
    const broker = await startRabbitMQ(ownBroker);
    await broker.stop();
    await broker.stop();
    await expect(amqpHandshake(broker.port)).rejects.toThrow(/ECONNREFUSED/);
    await expect(broker.startBroker()).rejects.toThrow(/stopped for good/);
  });

  it('serves the management HTTP API when asked to', async () => {
    const broker = await startRabbitMQ({ ...ownBroker, management: true });
    try {
      // The HTTP listener comes up shortly after AMQP.
      const overview = await waitForOk(`http://127.0.0.1:${broker.managementPort}/api/overview`);
      expect(overview).toHaveProperty('rabbitmq_version');
    } finally {
      await broker.stop();
    }
  });

  it('uses TEST_AMQP_URL instead of starting a broker, and says it cannot restart that one', async () => {
    const url = 'amqp://app:secret@mq.example:5673';
    const broker = await startRabbitMQ({ env: { TEST_AMQP_URL: url }, binDir: '/nonexistent' });
    expect(broker).toMatchObject({ url, port: 5673 });
    await expect(broker.restart()).rejects.toThrow(/not possible with TEST_AMQP_URL/);
    await broker.stop();
  });

  it('says what to install when RabbitMQ is missing', async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), 'dja-no-rabbitmq-'));
    try {
      await expect(startRabbitMQ({ env: { PATH: emptyDir }, binDir: emptyDir })).rejects.toThrow(
        RABBITMQ_NOT_FOUND_MESSAGE,
      );
    } finally {
      await rm(emptyDir, { recursive: true });
    }
    expect(RABBITMQ_NOT_FOUND_MESSAGE).toContain('apt-get install -y rabbitmq-server');
    expect(RABBITMQ_NOT_FOUND_MESSAGE).toContain('TEST_AMQP_URL=');
  });
});

async function waitForOk(url: string): Promise<unknown> {
  const authorization = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  const response = await waitFor(
    async () => {
      const candidate = await fetch(url, { headers: { authorization } });
      return candidate.ok ? candidate : undefined;
    },
    { timeoutMs: 30_000, description: url },
  );
  return response.json();
}
