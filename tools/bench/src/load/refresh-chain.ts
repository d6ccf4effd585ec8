import type autocannon from 'autocannon';

/**
 * Each request spends one refresh token from a shared queue and puts the one it gets back in
 * the queue (autocannon clears a connection's context between requests, so the chain cannot be
 * kept per connection). With one request in flight per connection, the queue never runs dry.
 */
export function refreshChain(queue: string[]): autocannon.Request {
  return {
    method: 'POST',
    path: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (request) => ({
      ...request,
      body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(queue.shift() ?? '')}`,
    }),
    onResponse: (status, body) => {
      if (status === 200) queue.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  };
}
