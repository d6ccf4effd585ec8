import type { ApiResult } from './api';
import { withdrawalOf, withdrawalRequest } from './key-withdrawal';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = `${encode({ alg: 'RS256', typ: 'at+jwt', kid: 'leaked-kid' })}.${encode({ sub: 'a1' })}.c2ln`;

const answer = (status: number, body: unknown): ApiResult => ({
  method: 'POST',
  path: '/auth/admin/keys/leaked-kid/withdraw',
  status,
  latencyMs: 1,
  servedBy: 'auth-service-1',
  wwwAuthenticate: null,
  body,
  reason: null,
});

describe('withdrawalRequest', () => {
  it('withdraws the key named by the token’s own kid, with the token as the admin’s credential', () => {
    expect(withdrawalRequest(token)).toEqual({
      method: 'POST',
      path: '/auth/admin/keys/leaked-kid/withdraw',
      token,
    });
  });
});

describe('withdrawalOf', () => {
  const audit = {
    kid: 'leaked-kid',
    withdrawnAt: '2026-12-01T06:00:00.000Z',
    withdrawnBy: 'a1',
    activeKid: 'next-kid',
  };

  it('reads who withdrew which key, when, and the key now signing', () => {
    expect(withdrawalOf(answer(200, { ...audit, keys: [] }))).toMatchObject(audit);
  });

  it('reads nothing from a refusal or an answer without the audit fields', () => {
    expect(withdrawalOf(answer(409, { title: 'Conflict' }))).toBeNull();
    expect(withdrawalOf(answer(200, { kid: 'leaked-kid' }))).toBeNull();
  });
});
