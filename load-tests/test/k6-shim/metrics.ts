// k6/metrics for the shim: each add() is kept as a sample for the harness to evaluate.
import { type MetricType, record } from './recorder';

class Metric {
  constructor(
    readonly name: string,
    private readonly type: MetricType,
  ) {}

  add(value: number | boolean, tags?: Record<string, string>): void {
    record(this.name, this.type, Number(value), tags);
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter');
  }
}
export class Gauge extends Metric {
  constructor(name: string) {
    super(name, 'gauge');
  }
}
export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate');
  }
}
export class Trend extends Metric {
  constructor(name: string, _isTime?: boolean) {
    super(name, 'trend');
  }
}
