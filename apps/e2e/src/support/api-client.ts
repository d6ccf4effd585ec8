import { randomUUID } from 'node:crypto';

/** An HTTP answer with its body parsed (JSON when it is JSON, else text, else null). */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** `X-Served-By`: which replica answered. */
  servedBy: string | null;
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export interface RegisteredUser {
  id: string;
  email: string;
  name?: string;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

/** One request with global fetch; never throws on an HTTP error status. */
export async function request<T = unknown>(
  url: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = text === '' ? null : text;
  if (/json/.test(response.headers.get('content-type') ?? '') && text !== '') {
    parsed = JSON.parse(text);
  }
  return {
    status: response.status,
    headers: response.headers,
    body: parsed as T,
    servedBy: response.headers.get('x-served-by'),
  };
}

function expectStatus<T>(response: ApiResponse<T>, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${response.status} from ${response.servedBy ?? 'the gateway'}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body;
}

/**
 * The public API as a user (or the admin) reaches it through the gateway. The `try*` methods
 * return the raw answer; the others insist on success and return the body.
 */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  call<T = unknown>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return request<T>(this.url(path), options);
  }

  async register(user: Credentials & { name?: string }): Promise<RegisteredUser> {
    return expectStatus(
      await this.call<RegisteredUser>('/auth/register', { json: user }),
      201,
      `register ${user.email}`,
    );
  }

  tryLogin(credentials: Credentials): Promise<ApiResponse> {
    return this.call('/auth/login', { json: credentials });
  }

  async login(credentials: Credentials): Promise<TokenSet> {
    return expectStatus(
      (await this.tryLogin(credentials)) as ApiResponse<TokenSet>,
      200,
      `login ${credentials.email}`,
    );
  }

  /** RFC 6749 refresh, form-encoded as OAuth clients send it. */
  refresh(refreshToken: string): Promise<ApiResponse> {
    return this.call('/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
  }

  async logout(accessToken: string): Promise<void> {
    expectStatus(
      await this.call('/auth/logout', { method: 'POST', token: accessToken }),
      204,
      'logout',
    );
  }
}

/** A fresh account, registered and logged in. */
export interface TestUser extends Credentials {
  id: string;
  tokens: TokenSet;
}

export async function registerAndLogIn(api: ApiClient, name = 'E2E User'): Promise<TestUser> {
  const credentials = {
    email: `e2e-${randomUUID()}@example.com`,
    password: `pw-${randomUUID()}`,
  };
  const { id } = await api.register({ ...credentials, name });
  return { ...credentials, id, tokens: await api.login(credentials) };
}

/** The claims of a JWT, read without verifying it (the services verify). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}
