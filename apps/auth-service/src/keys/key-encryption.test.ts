import { KeyEncryption } from './key-encryption';

describe('KeyEncryption', () => {
  const secret = 'a-key-encryption-secret-of-enough-length';
  const plaintext = Buffer.from('PKCS#8 bytes');

  it('decrypts what it encrypted for the same kid', () => {
    const encryption = new KeyEncryption(secret);
    const sealed = encryption.encrypt(plaintext, 'kid-1');
    expect(Buffer.from(sealed).includes(plaintext)).toBe(false);
    expect(encryption.decrypt(sealed, 'kid-1')).toEqual(plaintext);
  });

  it('uses a fresh IV every time', () => {
    const encryption = new KeyEncryption(secret);
    expect(encryption.encrypt(plaintext, 'k')).not.toEqual(encryption.encrypt(plaintext, 'k'));
  });

  it('refuses data sealed for another kid, under another secret, or altered', () => {
    const sealed = new KeyEncryption(secret).encrypt(plaintext, 'kid-1');
    expect(() => new KeyEncryption(secret).decrypt(sealed, 'kid-2')).toThrow();
    expect(() => new KeyEncryption(`${secret}!`).decrypt(sealed, 'kid-1')).toThrow();
    const altered = Uint8Array.from(sealed);
    altered[altered.length - 1]! ^= 1;
    expect(() => new KeyEncryption(secret).decrypt(altered, 'kid-1')).toThrow();
  });
});
