import { randomUUID } from 'node:crypto';
import { type ApiResponse, request, type RequestOptions } from './request';

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface RegisteredUser {
  id: string;
  email: string;
  name?: string;
}

function expectStatus<T>(response: ApiResponse<T>, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${response.status} from ${response.servedBy ?? 'the gateway'}: ${response.text.slice(0, 300)}`,
    );
  }
  return response.body;
}

/**
 * The public API as a user (or the admin) reaches it: through the gateway, where auth-service
 * is under `/auth`, or at one auth-service replica (`ApiClient.ofAuthReplica`). The `try*`
 * methods and `refresh` return the raw answer; the others insist on success and return the body.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    /** Where auth-service's routes are below `baseUrl`. */
    readonly authPath = '/auth',
  ) {}

  /** A client of one auth-service replica, reached directly. */
  static ofAuthReplica(replicaUrl: string): ApiClient {
    return new ApiClient(replicaUrl, '');
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  call<T = unknown>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return request<T>(this.url(path), options);
  }

  async register(user: Credentials & { name?: string }): Promise<RegisteredUser> {
    return expectStatus(
      await this.call<RegisteredUser>(`${this.authPath}/register`, { json: user }),
      201,
      `register ${user.email}`,
    );
  }

  tryLogin(credentials: Credentials, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.call(`${this.authPath}/login`, { ...options, json: credentials });
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
    return this.call(`${this.authPath}/token`, {
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
  }

  async logout(accessToken: string): Promise<void> {
    expectStatus(
      await this.call(`${this.authPath}/logout`, { method: 'POST', token: accessToken }),
      204,
      'logout',
    );
  }

  /** An order of one item; the raw answer. */
  createOrder(accessToken: string, sku: string): Promise<ApiResponse<{ id: string }>> {
    return this.call<{ id: string }>('/orders', {
      token: accessToken,
      json: { items: [{ sku, quantity: 1 }] },
    });
  }
}

/** A fresh account, registered and logged in. */
export interface TestUser extends Credentials {
  id: string;
  tokens: TokenSet;
}

/** Registers a fresh account (a random address and password) and logs it in. */
export async function registerAndLogIn(api: ApiClient, name = 'Test User'): Promise<TestUser> {
  const credentials = {
    email: `user-${randomUUID()}@example.com`,
    password: `pw-${randomUUID()}`,
  };
  const { id } = await api.register({ ...credentials, name });
  return { ...credentials, id, tokens: await api.login(credentials) };
}
