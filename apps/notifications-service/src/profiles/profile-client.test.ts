import { createTestIssuer, type TestIssuer } from '@dja/auth/testing';
import { createServiceTokenClient, type ServiceTokenClient } from '@dja/resource-server';
import { listenOnLoopback, type LoopbackServer } from '../../test/support/http-server';
import {
  type ProfileServiceDouble,
  startProfileService,
} from '../../test/support/profile-service-double';
import {
  SERVICE_CLIENT,
  startTokenEndpoint,
  type TokenEndpointDouble,
} from '../../test/support/token-endpoint-double';
import { createProfileClient, type ProfileClient, ProfileLookupError } from './profile-client';

let issuer: TestIssuer;
let auth: TokenEndpointDouble;
let profileService: ProfileServiceDouble;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'http://127.0.0.1:8080/auth' });
  auth = await startTokenEndpoint(issuer);
  profileService = await startProfileService(issuer);
  profileService.profiles.set('user-1', { displayName: 'Ada', email: 'ada@example.com' });
  profileService.profiles.set('user-2', { email: 'anon@example.com' });
});
afterAll(async () => {
  await profileService.close();
  await auth.close();
  await issuer.close();
});
afterEach(() => profileService.setAvailable(true));

function tokens(clientSecret = SERVICE_CLIENT.secret): ServiceTokenClient {
  return createServiceTokenClient({
    tokenUrl: auth.tokenUrl,
    clientId: SERVICE_CLIENT.id,
    clientSecret,
  });
}

function client(
  options: { baseUrl?: string; timeoutMs?: number; tokens?: ServiceTokenClient } = {},
): ProfileClient {
  return createProfileClient({
    baseUrl: options.baseUrl ?? profileService.url,
    tokens: options.tokens ?? tokens(),
    timeoutMs: options.timeoutMs ?? 2000,
  });
}

async function lookupError(promise: Promise<unknown>): Promise<ProfileLookupError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProfileLookupError);
  return error as ProfileLookupError;
}

describe('createProfileClient', () => {
  it('reads a profile with a service token that profile-service verifies', async () => {
    await expect(client().getProfile('user-1')).resolves.toEqual({
      userId: 'user-1',
      displayName: 'Ada',
      email: 'ada@example.com',
    });
  });

  it('reads a profile without a display name', async () => {
    expect((await client().getProfile('user-2')).displayName).toBeUndefined();
  });

  it('reuses one cached token for many lookups', async () => {
    const profiles = client();
    const before = auth.tokensIssued;

    await Promise.all(Array.from({ length: 5 }, () => profiles.getProfile('user-1')));
    await profiles.getProfile('user-1');

    expect(auth.tokensIssued - before).toBe(1);
  });

  it('drops a token profile-service refuses with 401 and retries once with a fresh one', async () => {
    const profiles = client();
    await profiles.getProfile('user-1');
    profileService.refuseTokensSeenSoFar();
    const before = auth.tokensIssued;

    await expect(profiles.getProfile('user-1')).resolves.toMatchObject({ displayName: 'Ada' });
    expect(auth.tokensIssued - before).toBe(1);
  });

  it('reports a missing profile as ERR_PROFILE_NOT_FOUND', async () => {
    expect((await lookupError(client().getProfile('nobody'))).code).toBe('ERR_PROFILE_NOT_FOUND');
  });

  it('reports a 503 as ERR_PROFILE_UNAVAILABLE', async () => {
    profileService.setAvailable(false);
    expect((await lookupError(client().getProfile('user-1'))).code).toBe('ERR_PROFILE_UNAVAILABLE');
  });

  it('reports an unreachable profile-service as ERR_PROFILE_UNAVAILABLE', async () => {
    const gone = await listenOnLoopback((_req, res) => res.end());
    await gone.close();

    const error = await lookupError(client({ baseUrl: gone.url }).getProfile('user-1'));

    expect(error.code).toBe('ERR_PROFILE_UNAVAILABLE');
    expect(error.message).toBe('profile-service unreachable');
  });

  describe('against a profile-service that never answers', () => {
    let silent: LoopbackServer;
    beforeAll(async () => (silent = await listenOnLoopback(() => undefined)));
    afterAll(() => silent.close());

    it('gives up after the timeout with ERR_PROFILE_UNAVAILABLE', async () => {
      const error = await lookupError(
        client({ baseUrl: silent.url, timeoutMs: 50 }).getProfile('user-1'),
      );

      expect(error.code).toBe('ERR_PROFILE_UNAVAILABLE');
      expect(error.message).toBe('profile-service timed out');
    });
  });

  it('reports a token the endpoint refuses to issue as ERR_PROFILE_UNAVAILABLE', async () => {
    const wrongSecret = tokens('a-wrong-secret-that-is-long-enough-0123456789');

    const error = await lookupError(client({ tokens: wrongSecret }).getProfile('user-1'));

    expect(error.code).toBe('ERR_PROFILE_UNAVAILABLE');
  });

  it('reports a token without profile:read (403) as ERR_PROFILE_FORBIDDEN', async () => {
    const narrow: ServiceTokenClient = {
      getToken: async () =>
        issuer.mint({
          sub: SERVICE_CLIENT.id,
          aud: 'profile',
          sid: undefined,
          scope: 'revocations:read',
        }),
      invalidate: () => undefined,
    };

    const error = await lookupError(client({ tokens: narrow }).getProfile('user-1'));

    expect(error.code).toBe('ERR_PROFILE_FORBIDDEN');
  });

  it('reports a 200 that is not a profile as ERR_PROFILE_UNEXPECTED', async () => {
    const odd = await listenOnLoopback((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}'),
    );
    try {
      const error = await lookupError(client({ baseUrl: odd.url }).getProfile('user-1'));
      expect(error.code).toBe('ERR_PROFILE_UNEXPECTED');
    } finally {
      await odd.close();
    }
  });
});
