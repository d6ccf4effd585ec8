// k6/execution for the shim: the harness sets the VU, iteration and scenario before each call.
export interface ExecutionState {
  vu: number;
  iteration: number;
  scenario: string;
  iterationInTest: number;
}

const KEY = Symbol.for('dja.k6-shim.execution');
type WithState = typeof globalThis & { [KEY]?: ExecutionState };

export function setExecution(state: ExecutionState): void {
  (globalThis as WithState)[KEY] = state;
}

const current = (): ExecutionState =>
  (globalThis as WithState)[KEY] ?? {
    vu: 1,
    iteration: 0,
    scenario: 'default',
    iterationInTest: 0,
  };

export default {
  vu: {
    get idInTest() {
      return current().vu;
    },
    get idInInstance() {
      return current().vu;
    },
    get iterationInScenario() {
      return current().iteration;
    },
    get iterationInInstance() {
      return current().iteration;
    },
  },
  scenario: {
    get name() {
      return current().scenario;
    },
    get iterationInTest() {
      return current().iterationInTest;
    },
  },
  test: {
    abort(message?: string): never {
      throw new Error(`test aborted: ${message ?? ''}`);
    },
  },
};
