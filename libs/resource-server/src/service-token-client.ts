export interface ServiceTokenClientOptions {
  /** The auth service's token endpoint, e.g. http://auth:3000/token. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Narrows the token to these scopes; the client's configured scopes by default. */
  scope?: string;
  /** A token is replaced this many seconds before it expires. Default 30. */
  refreshBeforeSeconds?: number;
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface ServiceTokenClient {
  /** A valid access token for this service, from cache when it has time left. */
  getToken(): Promise<string>;
  /** Forgets the cached token, e.g. after a 401 from the callee. */
  invalidate(): void;
}

export class ServiceTokenError extends Error {
  override readonly name = 'ServiceTokenError';
  readonly code = 'ERR_SERVICE_TOKEN';
}

/**
 * The service-to-service path: an OAuth 2.0 client_credentials grant (RFC 6749 §4.4) with the
 * client secret in HTTP Basic (§2.3.1), cached until shortly before it expires, with concurrent
 * callers sharing one request.
 */
export function createServiceTokenClient(options: ServiceTokenClientOptions): ServiceTokenClient {
  const {
    refreshBeforeSeconds = 30,
    timeoutMs = 5000,
    now = Date.now,
    fetch: doFetch = fetch,
  } = options;
  let cached: { token: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  // RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined for Basic.
  const basic = Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString('base64');

  async function requestToken(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope) body.set('scope', options.scope);
    const response = await doFetch(options.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (
      !response.ok ||
      typeof json.access_token !== 'string' ||
      typeof json.expires_in !== 'number'
    ) {
      throw new ServiceTokenError(
        `token endpoint answered ${response.status}${typeof json.error === 'string' ? ` ${json.error}` : ''}`,
      );
    }
    const lifetime = Math.max(0, json.expires_in - refreshBeforeSeconds);
    cached = { token: json.access_token, renewAt: now() + lifetime * 1000 };
    return json.access_token;
  }

  return {
    getToken() {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.token);
      inFlight ??= requestToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
