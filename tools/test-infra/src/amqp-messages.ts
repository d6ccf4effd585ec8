import amqplib from 'amqplib';

/**
 * Takes the messages waiting in a queue, straight from the broker (at most `limit`), acking
 * each: what a dead-letter queue holds, without a consumer of the code under test.
 */
export async function takeMessages(
  amqpUrl: string,
  queue: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<amqplib.GetMessage[]> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const messages: amqplib.GetMessage[] = [];
    while (messages.length < limit) {
      const message = await channel.get(queue);
      if (!message) break;
      messages.push(message);
      channel.ack(message);
    }
    return messages;
  } finally {
    await connection.close();
  }
}

/** Publishes `body` exactly as given, with a confirm: for messages no publisher would make. */
export async function publishRaw(
  amqpUrl: string,
  { exchange, routingKey }: { exchange: string; routingKey: string },
  body: string,
): Promise<void> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, routingKey, Buffer.from(body), { persistent: true });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}
