/**
 * The runs.events.v1 partitions this instance owns, told by the consumer group after every
 * rebalance. A partition just gained is not sent from for `graceMs` (longer than one attempt): the
 * instance that had it may still be finishing an attempt, which it records when done, so the new
 * owner reads the log after that and does not send the same attempt again.
 */
export class PartitionOwnership {
  /** partition → epoch ms from which its series may be sent. */
  private owned = new Map<number, number>();

  constructor(private readonly graceMs: number) {}

  assign(partitions: readonly number[], now = Date.now()): void {
    const next = new Map<number, number>();
    for (const partition of partitions) next.set(partition, this.owned.get(partition) ?? now + this.graceMs);
    this.owned = next;
  }

  /** Gives up every partition (stopping, or the consumer failed). */
  release(): void {
    this.owned = new Map();
  }

  canSend(partition: number, now: number): boolean {
    const from = this.owned.get(partition);
    return from !== undefined && from <= now;
  }

  sendable(now: number): number[] {
    return [...this.owned].filter(([, from]) => from <= now).map(([partition]) => partition);
  }

  partitions(): number[] {
    return [...this.owned.keys()];
  }
}
