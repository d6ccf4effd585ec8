// The bundler resolves this name to the k6 script being run (see run-k6-script.ts).
declare module 'k6-script-under-test' {
  export const options: { thresholds?: Record<string, string[]> } | undefined;
  export function setup(): unknown;
  export function teardown(data: unknown): void;
  export function handleSummary(data: unknown): Record<string, string>;
  const main: ((data: unknown) => void) | undefined;
  export default main;
}
