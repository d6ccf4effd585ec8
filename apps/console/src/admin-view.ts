import type { ApiResult } from './api';
import { byId, element } from './dom';

export interface SigningKey {
  kid: string;
  state: 'next' | 'current' | 'retiring' | 'expired';
  createdAt: string;
  activateAt: string;
  retireAt: string | null;
}

/** `GET /auth/admin/keys` and `POST /auth/admin/keys/rotate` both answer `{ keys: [...] }`. */
export function keysOf(result: ApiResult): SigningKey[] | null {
  const keys = (result.body as { keys?: unknown } | null)?.keys;
  return Array.isArray(keys) ? (keys as SigningKey[]) : null;
}

const time = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(11, 19) : '—');

export function showKeys(keys: SigningKey[]): void {
  const rows = keys.map((key) => {
    const row = element('tr');
    row.append(
      element('td', key.kid),
      element('td', key.state, `state-${key.state}`),
      element('td', time(key.createdAt)),
      element('td', time(key.activateAt)),
      element('td', time(key.retireAt)),
    );
    return row;
  });
  byId('keys')
    .querySelector('tbody')
    ?.replaceChildren(...rows);
}
