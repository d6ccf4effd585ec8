import type { TestIssuer } from '@dja/auth/testing';
import { listenOnLoopback } from './http-server';

export const SERVICE_CLIENT = {
  id: 'notifications-service',
  secret: 'notifications-secret-0123456789-abcdefghij',
};

export interface TokenEndpointDouble {
  /** Base URL, as AUTH_URL: the endpoint is `${url}/token`. */
  url: string;
  tokenUrl: string;
  /** client_credentials requests answered with a token. */
  readonly tokensIssued: number;
  close(): Promise<void>;
}

/**
 * Plays auth-service's token endpoint for the client_credentials grant: checks the client's
 * Basic credentials and mints a real RS256 token from the test issuer, as auth-service would for
 * the notifications client (audience `auth profile`, scope `profile:read`).
 */
export async function startTokenEndpoint(issuer: TestIssuer): Promise<TokenEndpointDouble> {
  let tokensIssued = 0;
  const expected = `Basic ${Buffer.from(
    `${encodeURIComponent(SERVICE_CLIENT.id)}:${encodeURIComponent(SERVICE_CLIENT.secret)}`,
  ).toString('base64')}`;
  const server = await listenOnLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST' || req.url !== '/token') return json(404, {});
      if (req.headers.authorization !== expected) return json(401, { error: 'invalid_client' });
      if (form.get('grant_type') !== 'client_credentials') {
        return json(400, { error: 'unsupported_grant_type' });
      }
      tokensIssued += 1;
      const accessToken = issuer.mint({
        sub: SERVICE_CLIENT.id,
        client_id: SERVICE_CLIENT.id,
        sid: undefined,
        aud: ['auth', 'profile'],
        scope: 'revocations:read profile:read',
      });
      json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300 });
    });
  });
  return {
    url: server.url,
    tokenUrl: `${server.url}/token`,
    get tokensIssued() {
      return tokensIssued;
    },
    close: server.close,
  };
}
