/**
 * The ids of the events this process handled most recently, bounded. A redelivered event is
 * acked without running its handler again. It is only a shortcut: durable effects are made
 * idempotent by event id in the service's own database, which also covers other replicas.
 */
export class RecentEventIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // Sets iterate in insertion order: the first id is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }
}
