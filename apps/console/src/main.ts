import { showKeys, keysOf } from './admin-view';
import { callApi, PROBES, type ApiRequest, type ApiResult } from './api';
import { byId, element } from './dom';
import { abbreviate, decodeJwt, tamperWithPayload } from './jwt';
import { showWithdrawal, withdrawalOf, withdrawalRequest } from './key-withdrawal';
import { measureRefusal, type Refusal } from './revocation';
import { clearLog, logNote, logResult } from './response-log';
import {
  endSession,
  isTokenResponse,
  rotateTokens,
  session,
  startSession,
  type Session,
} from './session';
import { showRevoked, showTampered, showToken } from './token-view';

const input = (id: string) => byId<HTMLInputElement>(id);
const status = (text: string) => (byId('status').textContent = text);

async function call(request: ApiRequest, note?: string): Promise<ApiResult> {
  const result = await callApi(request);
  logResult(result, note);
  return result;
}

function requireSession(): Session | null {
  const current = session();
  if (!current) status('Log in first.');
  return current;
}

/** Disables a button while its action runs, so a double click does not send twice. */
function onClick(id: string, action: () => Promise<void>): void {
  const button = byId<HTMLButtonElement>(id);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  });
}

function showSession(current: Session): void {
  const decoded = showToken(current.accessToken);
  byId('refresh-current').textContent = abbreviate(current.refreshToken);
  byId('refresh-previous').textContent = current.previousRefreshToken
    ? abbreviate(current.previousRefreshToken)
    : 'none yet';
  byId('refresh-changed').textContent = current.previousRefreshToken
    ? current.previousRefreshToken === current.refreshToken
      ? 'no: the same token came back'
      : 'yes: the old refresh token is now spent'
    : 'not yet';
  for (const id of ['services-section', 'session-section']) byId(id).hidden = false;
  byId('admin-section').hidden = !decoded.payload.roles?.includes('admin');
}

async function register(): Promise<void> {
  const result = await call({
    method: 'POST',
    path: '/auth/register',
    json: {
      email: input('email').value,
      password: input('password').value,
      name: input('name').value || undefined,
    },
  });
  status(result.status === 201 ? 'Registered. Now log in.' : `Not registered: ${result.reason}`);
}

async function logIn(): Promise<void> {
  const result = await call({
    method: 'POST',
    path: '/auth/login',
    json: { email: input('email').value, password: input('password').value },
  });
  if (result.status !== 200 || !isTokenResponse(result.body)) {
    status(`Not logged in: ${result.reason ?? result.status}`);
    return;
  }
  showSession(startSession(result.body.access_token, result.body.refresh_token));
  byId('propagation').hidden = true;
  status(`Logged in as ${input('email').value}.`);
}

async function tamper(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const tampered = tamperWithPayload(current.accessToken);
  showTampered(tampered.token, tampered.index, tampered.from, tampered.to);
  const results = await Promise.all(
    PROBES.map(({ service, request }) =>
      call({ ...request, token: tampered.token }, `tampered token to ${service}`),
    ),
  );
  const refused = results.filter((r) => r.status === 401).length;
  status(`Tampered token: ${refused} of ${results.length} services refused it with 401.`);
}

async function refresh(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const result = await call({
    method: 'POST',
    path: '/auth/token',
    form: { grant_type: 'refresh_token', refresh_token: current.refreshToken },
  });
  if (result.status !== 200 || !isTokenResponse(result.body)) {
    status(`Refresh refused: ${result.reason ?? result.status}`);
    return;
  }
  showSession(rotateTokens(result.body.access_token, result.body.refresh_token));
  const kid = String(decodeJwt(result.body.access_token).header.kid);
  status(`Refreshed: a new access token, signed with key ${kid}, and a new refresh token.`);
}

/**
 * Sends the access token to every service. Any answer but 401 (or no answer, or a 5xx) means the
 * token was accepted: a 403 or 404 comes after the token passed (auth's admin probe for a
 * non-admin, a profile not created yet).
 */
async function callEveryService(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const results = await Promise.all(
    PROBES.map(({ service, request }) =>
      call({ ...request, token: current.accessToken }, `every service: ${service}`),
    ),
  );
  const accepted = results.filter((r) => r.status !== 0 && r.status !== 401 && r.status < 500);
  status(`${accepted.length} of ${results.length} services accepted the access token.`);
}

function showRefusals(caption: string, refusals: Refusal[]): void {
  const table = byId('propagation');
  byId('propagation-caption').textContent = caption;
  table.querySelector('tbody')?.replaceChildren(
    ...refusals.map((refusal) => {
      const row = element('tr');
      row.append(
        element('th', refusal.service),
        element(
          'td',
          refusal.afterMs === null ? 'still accepted' : `${refusal.afterMs.toFixed(0)} ms`,
        ),
        element('td', refusal.first?.servedBy ?? '—'),
        element('td', `${refusal.confirmed.refused} of ${refusal.confirmed.of} calls`),
        element('td', refusal.first?.reason ?? '—'),
      );
      row.firstElementChild?.setAttribute('scope', 'row');
      return row;
    }),
  );
  table.hidden = false;
  for (const refusal of refusals) {
    if (refusal.first) logResult(refusal.first, `first 401 from ${refusal.service}`);
  }
}

async function reuseOldRefreshToken(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  if (!current.previousRefreshToken) {
    status('Refresh first: there is no spent refresh token to reuse yet.');
    return;
  }
  const result = await call(
    {
      method: 'POST',
      path: '/auth/token',
      form: { grant_type: 'refresh_token', refresh_token: current.previousRefreshToken },
    },
    'spent refresh token presented again',
  );
  const endedAt = performance.now();
  if (result.status !== 400) {
    status(`The spent refresh token was not refused (${result.status}): reuse went undetected.`);
    return;
  }
  endSession('refresh token reuse');
  showRevoked(
    'Refresh token reuse detected: the auth service ended the whole session. This access token ' +
      'still decodes and has not expired, but every service now refuses it.',
  );
  status(`Reuse answered ${result.status} ${result.reason ?? ''}; checking the access token…`);
  const refusals = await measureRefusal(current.accessToken, endedAt);
  showRefusals('After refresh token reuse: the current access token', refusals);
  status(summary('After the reuse', refusals));
}

async function logOut(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const result = await call({
    method: 'POST',
    path: '/auth/logout',
    token: current.accessToken,
    json: { refresh_token: current.refreshToken },
  });
  if (result.status < 200 || result.status > 299) {
    status(`Logout failed: ${result.reason ?? result.status}`);
    return;
  }
  const endedAt = performance.now();
  endSession('logout');
  showRevoked(
    'Logged out. This access token still decodes and has not expired, but every service now ' +
      'refuses it: the logout was broadcast to every replica.',
  );
  status('Logged out; measuring when each service refuses the old access token…');
  const refusals = await measureRefusal(current.accessToken, endedAt);
  showRefusals('After logout: time from the logout answer to the first 401', refusals);
  status(summary('After logout', refusals));
}

function summary(when: string, refusals: Refusal[]): string {
  const refused = refusals.filter((r) => r.afterMs !== null).length;
  return `${when}, ${refused} of ${refusals.length} services refuse the access token.`;
}

async function loadKeys(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const result = await call({
    method: 'GET',
    path: '/auth/admin/keys',
    token: current.accessToken,
  });
  const keys = keysOf(result);
  if (keys) showKeys(keys);
}

async function rotateKeys(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const result = await call({
    method: 'POST',
    path: '/auth/admin/keys/rotate',
    token: current.accessToken,
  });
  const keys = keysOf(result);
  if (keys) showKeys(keys);
  if (result.status === 200 || result.status === 201) {
    status('Rotation started: the new key is published as next before it signs anything.');
  }
}

async function withdrawKey(): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const result = await call(withdrawalRequest(current.accessToken));
  const withdrawal = withdrawalOf(result);
  if (!withdrawal) {
    status(`Key not withdrawn: ${result.reason ?? result.status}`);
    return;
  }
  const endedAt = performance.now();
  showWithdrawal(withdrawal);
  const keys = keysOf(result);
  if (keys) showKeys(keys);
  showRevoked(
    'The key that signed this access token was withdrawn. The token still decodes and has not ' +
      'expired, but every service refuses it; the session itself lives on.',
  );
  status('Key withdrawn; measuring when each service refuses the token it signed…');
  const refusals = await measureRefusal(current.accessToken, endedAt);
  showRefusals('After the withdrawal: time from its answer to the first 401', refusals);
  status(`${summary('After the withdrawal', refusals)} Refresh once: the session survives.`);
}

async function suspension(action: 'suspend' | 'unsuspend'): Promise<void> {
  const current = requireSession();
  if (!current) return;
  const id = input('target-user').value.trim();
  const result = await call({
    method: 'POST',
    path: `/auth/admin/users/${encodeURIComponent(id)}/${action}`,
    token: current.accessToken,
  });
  status(
    result.status === 200
      ? `User ${id} ${action === 'suspend' ? 'suspended' : 'unsuspended'}.`
      : `Could not ${action}: ${result.reason ?? result.status}`,
  );
}

function wire(): void {
  byId('account-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void logIn();
  });
  onClick('register', register);
  const withToken = (request: ApiRequest) => async () => {
    const current = requireSession();
    if (current) await call({ ...request, token: current.accessToken });
  };
  onClick(
    'create-order',
    withToken({
      method: 'POST',
      path: '/orders',
      json: { items: [{ sku: 'BOOK-1', quantity: 1 }] },
    }),
  );
  onClick('list-orders', withToken({ method: 'GET', path: '/orders' }));
  onClick('get-profile', withToken({ method: 'GET', path: '/profile/me' }));
  onClick('list-notifications', withToken({ method: 'GET', path: '/notifications' }));
  onClick('call-every-service', callEveryService);
  onClick('update-profile', async () => {
    await withToken({
      method: 'PUT',
      path: '/profile/me',
      json: { displayName: input('display-name').value },
    })();
  });
  onClick('tamper', tamper);
  onClick('refresh', refresh);
  onClick('reuse', reuseOldRefreshToken);
  onClick('logout', logOut);
  onClick('load-keys', loadKeys);
  onClick('rotate-keys', rotateKeys);
  onClick('withdraw-key', withdrawKey);
  onClick('suspend', () => suspension('suspend'));
  onClick('unsuspend', () => suspension('unsuspend'));
  byId('clear-log').addEventListener('click', clearLog);
  logNote('Ready. Responses appear here, newest first.');
}

wire();
