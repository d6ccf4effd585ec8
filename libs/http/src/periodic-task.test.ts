import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { startPeriodicTask } from './periodic-task';

// Only the interval timer is fake: the test moves it, promises settle as usual.
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
afterEach(() => jest.useRealTimers());

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', replicaId: '1', destination }) };
}

/** A run the test finishes by hand. */
function controllableRun() {
  const pending: Array<(count: number) => void> = [];
  const run = jest.fn(() => new Promise<number>((resolve) => pending.push(resolve)));
  return { run, finish: (count: number) => pending.shift()!(count) };
}

describe('startPeriodicTask', () => {
  it('runs once per interval and not before the first one has passed', async () => {
    const { logger } = capture();
    const run = jest.fn(async () => 0);
    const task = startPeriodicTask({ name: 'purge', intervalSeconds: 60, run, logger });
    await jest.advanceTimersByTimeAsync(59_000);
    expect(run).toHaveBeenCalledTimes(0);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(run).toHaveBeenCalledTimes(3);
    await task.close();
  });

  it('skips a turn while the previous run is still going', async () => {
    const { logger } = capture();
    const { run, finish } = controllableRun();
    const task = startPeriodicTask({ name: 'purge', intervalSeconds: 10, run, logger });
    await jest.advanceTimersByTimeAsync(30_000);
    expect(run).toHaveBeenCalledTimes(1);
    finish(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(2);
    finish(0);
    await task.close();
  });

  it('logs a failed run and runs again at the next interval', async () => {
    const { lines, logger } = capture();
    const run = jest
      .fn<Promise<number>, []>()
      .mockRejectedValueOnce(new Error('database unavailable'))
      .mockResolvedValueOnce(3);
    const task = startPeriodicTask({ name: 'purge', intervalSeconds: 5, run, logger });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(2);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'purge failed', task: 'purge' }),
      expect.objectContaining({ msg: 'purge: done', task: 'purge', count: 3 }),
    ]);
    await task.close();
  });

  it('waits for the run in progress when closed, then runs no more', async () => {
    const { logger } = capture();
    const { run, finish } = controllableRun();
    const task = startPeriodicTask({ name: 'purge', intervalSeconds: 1, run, logger });
    await jest.advanceTimersByTimeAsync(1_000);
    let closed = false;
    const closing = task.close().then(() => (closed = true));
    await Promise.resolve();
    expect(closed).toBe(false);
    finish(0);
    await closing;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
