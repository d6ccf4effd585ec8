import { reasonOf } from './api';

describe('reasonOf', () => {
  it('reads the RFC 6750 error_description of a bearer challenge', () => {
    const challenge =
      'Bearer realm="orders-service", error="invalid_token", error_description="The access token signature is invalid"';
    expect(reasonOf(challenge, null)).toBe('invalid_token: The access token signature is invalid');
  });

  it('falls back to an OAuth error body, then to a problem', () => {
    expect(reasonOf(null, { error: 'invalid_grant', error_description: 'spent' })).toBe(
      'invalid_grant: spent',
    );
    expect(reasonOf(null, { title: 'Not found', status: 404 })).toBe('Not found');
  });
});
