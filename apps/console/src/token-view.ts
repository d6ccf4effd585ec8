import { byId, element } from './dom';
import { decodeJwt, formatCountdown, secondsUntil, type DecodedJwt } from './jwt';

let countdownTimer: ReturnType<typeof setInterval> | undefined;

/** Shows the token's three coloured parts, its decoded header and payload, and a countdown. */
export function showToken(token: string): DecodedJwt {
  const decoded = decodeJwt(token);
  const [header, payload, signature] = decoded.parts;
  byId('encoded-token').replaceChildren(
    element('span', header, 'jwt-header'),
    '.',
    element('span', payload, 'jwt-payload'),
    '.',
    element('span', signature, 'jwt-signature'),
  );
  byId('decoded-header').textContent = JSON.stringify(decoded.header, null, 2);
  byId('decoded-payload').textContent = JSON.stringify(decoded.payload, null, 2);
  byId('subject').textContent = decoded.payload.sub ?? '';
  byId('roles').textContent = decoded.payload.roles?.join(', ') || 'none';
  byId('token-section').hidden = false;
  byId('tamper-result').hidden = true;
  showRevoked(null);

  clearInterval(countdownTimer);
  const countdown = byId('countdown');
  const tick = () => {
    const exp = decoded.payload.exp;
    countdown.textContent =
      exp === undefined ? 'no exp claim' : formatCountdown(secondsUntil(exp, Date.now()));
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
  return decoded;
}

/** A token that still decodes and has not expired can be refused all the same. */
export function showRevoked(reason: string | null): void {
  const banner = byId('revoked-banner');
  banner.hidden = reason === null;
  banner.textContent = reason ?? '';
}

/** The tampered token with its one changed character marked. */
export function showTampered(token: string, index: number, from: string, to: string): void {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const mark = element('mark', payload.charAt(index));
  mark.title = `was ${from}`;
  const target = byId('tamper-result');
  target.replaceChildren(
    element('span', `Payload character ${index + 1} changed from "${from}" to "${to}": `),
    element('span', header, 'jwt-header'),
    '.',
    element('span', payload.slice(0, index), 'jwt-payload'),
    mark,
    element('span', payload.slice(index + 1), 'jwt-payload'),
    '.',
    element('span', signature, 'jwt-signature'),
  );
  target.hidden = false;
}
