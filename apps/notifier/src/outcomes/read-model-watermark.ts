import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from 'kafkajs';

const POLL_MS = 200;

/** The read model has not reached an outcome yet (the materializer is behind or down). */
export class ReadModelBehindError extends Error {
  constructor(groupId: string, partition: number, offset: string, committed: string) {
    super(
      `the read model has not reached runs.events.v1[${partition}]@${offset} yet (materializer group ${groupId} committed ${committed}); retrying. ` +
        'If the materializer runs and this persists, NOTIFIER_READ_MODEL_GROUP_ID must name its group (its MATERIALIZER_GROUP_ID)',
    );
    this.name = 'ReadModelBehindError';
  }
}

/**
 * How far the read model has come: the offsets the materializer's consumer group committed, which
 * it commits only after the rows they produced are written. An outcome is read from ClickHouse
 * only once the read model holds it, so the body shows the run as of that event or later.
 */
export class ReadModelWatermark {
  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topic: string,
  ) {}

  /** Resolves once every `partition → offset` is below the group's committed offset; throws after `timeoutMs`. */
  async waitFor(needed: ReadonlyMap<number, string>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = this.firstBehind(needed, await this.committed());
      if (!behind) return;
      if (Date.now() >= deadline) throw new ReadModelBehindError(this.groupId, ...behind);
      await sleep(POLL_MS);
    }
  }

  /**
   * Throws unless every `partition → offset` is still below the group's committed offset. A
   * rebuild rewinds the group to 0 before it empties the tables, so a read made after `waitFor`
   * and confirmed here did not meet tables being emptied and refilled.
   */
  async confirm(needed: ReadonlyMap<number, string>): Promise<void> {
    const behind = this.firstBehind(needed, await this.committed());
    if (behind) throw new ReadModelBehindError(this.groupId, ...behind);
  }

  private firstBehind(needed: ReadonlyMap<number, string>, committed: Map<number, bigint>): [number, string, string] | undefined {
    const behind = [...needed].find(([partition, offset]) => (committed.get(partition) ?? -1n) <= BigInt(offset));
    return behind && [behind[0], behind[1], String(committed.get(behind[0]) ?? 'nothing')];
  }

  private async committed(): Promise<Map<number, bigint>> {
    const [topic] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    return new Map((topic?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  }
}
