import type { AccessTokenVerifier } from '@dja/auth';
import type { Logger } from '@dja/http';
import { type BrokerConnection, subscribe } from '@dja/messaging';
import type { KeyStore } from './key-store';

/**
 * Makes this replica stop signing with, publishing and accepting a key another replica
 * withdrew, as soon as `signing-key.withdrawn` arrives instead of at the next timed reload.
 * On every (re)connect the key set is reloaded first: the database is the truth, so nothing
 * withdrawn while this replica was disconnected is missed.
 */
export function followKeyWithdrawals(
  broker: BrokerConnection | undefined,
  {
    keys,
    verifier,
    logger,
    service,
  }: {
    keys: KeyStore;
    verifier: AccessTokenVerifier;
    logger: Logger;
    service: string;
  },
): () => Promise<void> {
  if (!broker) return async () => undefined;
  const subscription = subscribe(broker, {
    delivery: { kind: 'broadcast', service },
    logger,
    beforeConsume: () => keys.reload(),
    handlers: {
      'signing-key.withdrawn': async ({ data }) => {
        verifier.withdrawKey(data.kid, data.activeKid);
        await keys.forget(data.kid);
        logger.warn({ kid: data.kid, activeKid: data.activeKid }, 'signing key withdrawn');
      },
    },
  });
  return () => subscription.close();
}
