import type { Clock } from '../../src/clock';

export interface TestClock extends Clock {
  /** Moves time forward (or back, with a negative value). */
  advance(seconds: number): void;
  set(date: Date): void;
}

/** A clock that only moves when the test says so. */
export function testClock(start = new Date('2030-01-01T12:00:00.000Z')): TestClock {
  let now = start.getTime();
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (seconds) => {
    now += seconds * 1000;
  };
  clock.set = (date) => {
    now = date.getTime();
  };
  return clock;
}
