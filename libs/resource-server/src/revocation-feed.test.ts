import { InMemoryRevocationList, type RevocationSnapshot } from '@dja/auth';
import { connectBroker, createEvent, createEventPublisher } from '@dja/messaging';
import { testAmqpUrl, waitFor } from '@dja/test-infra';
import { startRevocationFeed } from './revocation-feed';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const inFiveMinutes = () => new Date(Date.now() + 300_000).toISOString();
const nowSeconds = () => Math.floor(Date.now() / 1000);
const token = (
  overrides: Partial<{ subject: string; sessionId: string; issuedAt: number }> = {},
) => ({
  subject: 'user-1',
  sessionId: 'session-1',
  tokenId: 'jti-1',
  issuedAt: nowSeconds() - 10,
  ...overrides,
});
const emptySnapshot: RevocationSnapshot = { version: 1, sessions: [], users: [], tokens: [] };

describe('startRevocationFeed', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  function replica(loadSnapshot: () => Promise<RevocationSnapshot>) {
    const broker = connectBroker(testAmqpUrl(), {
      logger,
      name: 'feed-test',
      reconnectSeconds: 0.2,
    });
    const list = new InMemoryRevocationList({ maxTokenLifetimeSeconds: 300 });
    // What the verifier was told; its own behaviour is tested in @dja/auth.
    const withdrawn: Array<[kid: string, activeKid: string | undefined]> = [];
    const verifier = {
      withdrawKey: (kid: string, activeKid?: string) => withdrawn.push([kid, activeKid]) > 0,
    };
    const feed = startRevocationFeed({
      broker,
      list,
      verifier,
      service: 'feed-test',
      loadSnapshot,
      logger,
    });
    closers.push(
      () => broker.close(),
      () => feed.close(),
    );
    return { list, feed, withdrawn };
  }

  async function publish(
    ...events: Parameters<ReturnType<typeof createEventPublisher>['publish']>[0][]
  ) {
    const broker = connectBroker(testAmqpUrl(), { logger, name: 'feed-test-publisher' });
    const publisher = createEventPublisher(broker);
    for (const event of events) await publisher.publish(event);
    await publisher.close();
    await broker.close();
  }

  it('loads the snapshot before it reports synced', async () => {
    const { list, feed } = replica(async () => ({
      ...emptySnapshot,
      sessions: [{ sessionId: 'from-snapshot', expiresAt: nowSeconds() + 300 }],
    }));
    await waitFor(() => feed.isSynced(), { timeoutMs: 10_000 });
    expect(list.isRevoked(token({ sessionId: 'from-snapshot' }))).toBe(true);
    expect(list.isRevoked(token())).toBe(false);
  });

  it('refuses a logged-out session on every replica', async () => {
    const replicas = [replica(async () => emptySnapshot), replica(async () => emptySnapshot)];
    await waitFor(() => replicas.every((r) => r.feed.isSynced()), { timeoutMs: 10_000 });
    await publish(
      createEvent('session.revoked', {
        sessionId: 'session-1',
        userId: 'user-1',
        reason: 'logout',
        expiresAt: inFiveMinutes(),
      }),
    );
    await waitFor(() => replicas.every((r) => r.list.isRevoked(token())), { timeoutMs: 10_000 });
    for (const { list } of replicas)
      expect(list.isRevoked(token({ sessionId: 'session-2' }))).toBe(false);
  });

  it('refuses a suspended user’s earlier tokens, but not tokens issued after unsuspension', async () => {
    const { list, feed } = replica(async () => emptySnapshot);
    await waitFor(() => feed.isSynced(), { timeoutMs: 10_000 });
    const suspendedAt = new Date();
    await publish(
      createEvent('user.suspended', {
        userId: 'user-1',
        suspendedAt: suspendedAt.toISOString(),
        expiresAt: inFiveMinutes(),
      }),
      createEvent('user.unsuspended', {
        userId: 'user-1',
        unsuspendedAt: new Date().toISOString(),
      }),
    );
    await waitFor(() => list.isRevoked(token({ sessionId: 'other' })), { timeoutMs: 10_000 });
    expect(
      list.isRevoked(
        token({ sessionId: 'fresh', issuedAt: Math.floor(suspendedAt.getTime() / 1000) + 1 }),
      ),
    ).toBe(false);
    expect(list.isRevoked(token({ subject: 'user-2', sessionId: 'x' }))).toBe(false);
  });

  it('withdraws signing keys named by the snapshot and by signing-key.withdrawn on every replica', async () => {
    const snapshot = { ...emptySnapshot, withdrawnKeys: [{ kid: 'old-leak', withdrawnAt: 1 }] };
    const replicas = [replica(async () => snapshot), replica(async () => snapshot)];
    await waitFor(() => replicas.every((r) => r.feed.isSynced()), { timeoutMs: 10_000 });
    for (const { withdrawn } of replicas) expect(withdrawn).toEqual([['old-leak', undefined]]);
    await publish(
      createEvent('signing-key.withdrawn', {
        kid: 'leaked',
        withdrawnAt: new Date().toISOString(),
        withdrawnBy: 'admin-1',
        activeKid: 'successor',
      }),
    );
    await waitFor(() => replicas.every((r) => r.withdrawn.length === 2), { timeoutMs: 10_000 });
    for (const { withdrawn } of replicas) expect(withdrawn[1]).toEqual(['leaked', 'successor']);
  });

  it('keeps retrying the snapshot while auth-service is away, and stays unsynced meanwhile', async () => {
    let attempts = 0;
    const { feed } = replica(async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('auth-service unreachable');
      return emptySnapshot;
    });
    await waitFor(() => attempts >= 1, { timeoutMs: 10_000 });
    expect(feed.isSynced()).toBe(false);
    await waitFor(() => feed.isSynced(), { timeoutMs: 10_000 });
    expect(attempts).toBe(3);
  });
});
