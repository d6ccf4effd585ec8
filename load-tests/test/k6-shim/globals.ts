// k6's globals, set before the script's module body runs (it reads __ENV at init).
const globals = globalThis as typeof globalThis & {
  __ENV: Record<string, string>;
  __VU: number;
  __ITER: number;
};
globals.__ENV = JSON.parse(process.env.K6_SHIM_ENV ?? '{}') as Record<string, string>;
globals.__VU = 0;
globals.__ITER = 0;

export {};
