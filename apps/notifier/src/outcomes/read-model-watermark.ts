import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from 'kafkajs';

const POLL_MS = 200;

/** The read model has not reached an outcome yet (the materializer is behind or down). */
export class ReadModelBehindError extends Error {
  constructor(partition: number, offset: string, committed: string) {
    super(`the read model has not reached runs.events.v1[${partition}]@${offset} yet (materializer committed ${committed}); retrying`);
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
      const committed = await this.committed();
      const behind = [...needed].find(([partition, offset]) => (committed.get(partition) ?? -1n) <= BigInt(offset));
      if (!behind) return;
      if (Date.now() >= deadline) throw new ReadModelBehindError(behind[0], behind[1], String(committed.get(behind[0]) ?? 'nothing'));
      await sleep(POLL_MS);
    }
  }

  private async committed(): Promise<Map<number, bigint>> {
    const [topic] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    return new Map((topic?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  }
}
