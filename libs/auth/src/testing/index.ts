// Test helpers for services that use @dja/auth. Never imported by production code.
export {
  createTestIssuer,
  generateTestKey,
  type MintOptions,
  type TestIssuer,
  type TestIssuerOptions,
  type TestSigningKey,
} from './test-issuer';
export { createTestVerifier } from './test-verifier';
export { createRequestRecorder, type RequestRecorder } from './request-recorder';
