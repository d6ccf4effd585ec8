import type { AccessTokenPrincipal } from './access-token-claims';
import { VerifiedTokenCache } from './verified-token-cache';

const principal = (subject: string) => ({ subject }) as AccessTokenPrincipal;

describe('VerifiedTokenCache', () => {
  it('returns what was stored until validUntil', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', principal('a'), 100, 'kid-1');
    expect(cache.get('t', 99.999)?.subject).toBe('a');
    expect(cache.get('t', 100)).toBeUndefined();
  });

  it('drops an expired entry when it is looked up', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', principal('a'), 100, 'kid-1');
    cache.get('t', 100);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', principal('a'), 100, 'kid-1');
    cache.set('b', principal('b'), 100, 'kid-1');
    cache.get('a', 0);
    cache.set('c', principal('c'), 100, 'kid-1');
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('stores nothing when maxEntries is 0', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set('a', principal('a'), 100, 'kid-1');
    expect(cache.size).toBe(0);
  });

  it('drops only the tokens verified with a given kid', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('a', principal('a'), 100, 'leaked');
    cache.set('b', principal('b'), 100, 'kid-1');
    cache.set('c', principal('c'), 100, 'leaked');
    expect(cache.deleteSignedBy('leaked')).toBe(2);
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toBeUndefined();
    expect(cache.get('b', 0)?.subject).toBe('b');
  });
});
