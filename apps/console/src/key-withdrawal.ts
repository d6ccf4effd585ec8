import type { ApiRequest, ApiResult } from './api';
import { byId } from './dom';
import { decodeJwt } from './jwt';

/** The audit data `POST /auth/admin/keys/{kid}/withdraw` answers with. */
export interface Withdrawal {
  kid: string;
  withdrawnAt: string;
  /** The admin's user id. */
  withdrawnBy: string;
  /** The key that signs from now on. */
  activeKid: string;
}

/** Withdraws the key that signed `accessToken`, the key an attacker would have stolen. */
export function withdrawalRequest(accessToken: string): ApiRequest {
  const kid = String(decodeJwt(accessToken).header.kid ?? '');
  return {
    method: 'POST',
    path: `/auth/admin/keys/${encodeURIComponent(kid)}/withdraw`,
    token: accessToken,
  };
}

export function withdrawalOf(result: ApiResult): Withdrawal | null {
  const body = result.body as Partial<Withdrawal> | null;
  return result.status === 200 &&
    typeof body?.kid === 'string' &&
    typeof body.activeKid === 'string' &&
    typeof body.withdrawnAt === 'string' &&
    typeof body.withdrawnBy === 'string'
    ? (body as Withdrawal)
    : null;
}

export function showWithdrawal(withdrawal: Withdrawal): void {
  byId('withdrawn-kid').textContent = withdrawal.kid;
  byId('withdrawn-by').textContent = withdrawal.withdrawnBy;
  byId('withdrawn-at').textContent = withdrawal.withdrawnAt;
  byId('active-kid').textContent = withdrawal.activeKid;
  byId('withdrawal').hidden = false;
}
