import { canonicalTimeZone, initialDisplayName } from './profile-input';

describe('initialDisplayName', () => {
  it('uses the registration name, trimmed', () => {
    expect(initialDisplayName('  Ada Lovelace ', 'ada@example.com')).toBe('Ada Lovelace');
  });

  it('falls back to the e-mail’s local part without a usable name', () => {
    expect(initialDisplayName(undefined, 'grace@example.com')).toBe('grace');
    expect(initialDisplayName(null, 'grace@example.com')).toBe('grace');
    expect(initialDisplayName('   ', 'grace@example.com')).toBe('grace');
    expect(initialDisplayName('bad\u0000name', 'grace@example.com')).toBe('grace');
    expect(initialDisplayName('x'.repeat(101), 'grace@example.com')).toBe('grace');
  });
});

describe('canonicalTimeZone', () => {
  it('accepts IANA names in any casing and returns their canonical spelling', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('asia/tokyo')).toBe('Asia/Tokyo');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
  });

  it('refuses names the runtime does not know', () => {
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });
});
