// Test helpers for resource services. Never imported by production code.
export { startTestRuntime, type TestRuntimeOptions } from './test-runtime';
