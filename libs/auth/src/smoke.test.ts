import { generateKeyPair, SignJWT, jwtVerify } from 'jose';
test('jose loads under jest', async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwt = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
  expect((await jwtVerify(jwt, publicKey)).payload.a).toBe(1);
});
