import amqp, {
  type AmqpConnectionManager,
  type ChannelWrapper,
  type CreateChannelOpts,
} from 'amqp-connection-manager';

export interface BrokerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BrokerConnection {
  manager: AmqpConnectionManager;
  /**
   * A channel that runs `setup` again on every reconnect. A setup that fails is logged, never
   * thrown: amqp-connection-manager reports it as an `error` event, which would crash the process
   * if nobody listened, and closing a channel while its setup waits for the broker is routine.
   */
  createChannel(options: CreateChannelOpts & { name: string }): ChannelWrapper;
  isConnected(): boolean;
  close(): Promise<void>;
}

/**
 * Connects to RabbitMQ through amqp-connection-manager, which reconnects with a delay after
 * the broker goes away and re-runs every channel's setup, so a broker restart never crashes the
 * process. The returned connection is usable at once; messages queue until it connects.
 */
export function connectBroker(
  url: string,
  {
    logger,
    name,
    reconnectSeconds = 1,
  }: { logger: BrokerLogger; name: string; reconnectSeconds?: number },
): BrokerConnection {
  const manager = amqp.connect([url], {
    reconnectTimeInSeconds: reconnectSeconds,
    heartbeatIntervalInSeconds: 5,
    connectionOptions: { clientProperties: { connection_name: name } },
  });
  manager.on('connect', () => logger.info({ broker: redact(url) }, 'broker connected'));
  manager.on('disconnect', ({ err }) => logger.warn({ err: err?.message }, 'broker disconnected'));
  manager.on('connectFailed', ({ err }) =>
    logger.warn({ err: err?.message }, 'broker connection failed'),
  );
  return {
    manager,
    createChannel(options) {
      const channel = manager.createChannel(options);
      let closed = false;
      channel.once('close', () => (closed = true));
      channel.on('error', (err) => {
        if (closed)
          logger.info({ channel: options.name, err: err.message }, 'channel closed during setup');
        else logger.error({ channel: options.name, err: err.message }, 'channel setup failed');
      });
      return channel;
    },
    isConnected: () => manager.isConnected(),
    close: () => manager.close(),
  };
}

/** The broker URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
