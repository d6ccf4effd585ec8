import type { ApiResult } from './api';
import { byId, element } from './dom';

/**
 * One line per response, newest first, in an ARIA live region: status, method and path,
 * latency measured with performance.now(), the replica named by `X-Served-By`, and the reason
 * the server gave for a refusal.
 */
export function logResult(result: ApiResult, note?: string): void {
  const item = element('li');
  const refused = result.status === 0 || result.status >= 400;
  item.append(
    element(
      'span',
      result.status === 0 ? 'ERR' : String(result.status),
      `http-status ${refused ? 'http-refused' : 'http-ok'}`,
    ),
    ` ${result.method} ${result.path} `,
    element('span', `${result.latencyMs.toFixed(1)} ms`, 'latency'),
    ' ',
    element('span', result.servedBy ?? 'no X-Served-By', 'served-by'),
  );
  if (result.reason) item.append(` — ${result.reason}`);
  if (note) item.append(' ', element('span', `(${note})`, 'note'));
  byId('log').prepend(item);
}

export function logNote(text: string): void {
  byId('log').prepend(element('li', text, 'note'));
}

export function clearLog(): void {
  byId('log').replaceChildren();
}
