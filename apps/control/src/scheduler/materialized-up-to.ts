import { Admin } from 'kafkajs';

interface Sample {
  atMs: number;
  /** Per partition: the offset the next event will get, read just after atMs. */
  ends: Map<number, number>;
}

/** Samples kept while the materializer is behind all of them (one per sweep). */
const MAX_SAMPLES = 512;

/**
 * How far the read model is complete: the latest time T such that every run event appended
 * before T is in ClickHouse. Each call samples the topic's end offsets; the answer is the newest
 * sample the materializer's committed offsets have passed (it commits only after its writes).
 * While the materializer lags, T lags with it, so a sweeper comparing `updated_at` with T never
 * takes a read model that is behind for agents that went silent.
 */
export class MaterializedUpTo {
  private samples: Sample[] = [];

  constructor(
    private readonly admin: Admin,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  /** null while the materializer has not passed any sample yet. */
  async sample(now: Date): Promise<Date | null> {
    const atMs = now.getTime();
    const { ends, passed } = await this.offsets();
    this.samples.push({ atMs, ends });
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
    for (let i = this.samples.length - 1; i >= 0; i -= 1) {
      if (passedAll(this.samples[i], passed)) {
        this.samples = this.samples.slice(i);
        return new Date(this.samples[0].atMs);
      }
    }
    return null;
  }

  /**
   * Whether the materializer's commits still pass the sample the last `sample()` answered. A
   * rebuild rewinds them to 0 before it empties the tables, so a read made between `sample()` and
   * a `false` here may have met tables being emptied and refilled.
   */
  async stillPassed(): Promise<boolean> {
    const answered = this.samples[0];
    if (!answered) return false;
    return passedAll(answered, (await this.offsets()).passed);
  }

  /** The topic's end offsets, and per partition the offset the materializer has passed. */
  private async offsets(): Promise<{ ends: Map<number, number>; passed: Map<number, number> }> {
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    // A partition the group never committed is consumed from its low offset on.
    const passed = new Map(ends.map((end) => [end.partition, (done.get(end.partition) ?? -1) < 0 ? Number(end.low) : (done.get(end.partition) as number)]));
    return { ends: new Map(ends.map((end) => [end.partition, Number(end.high)])), passed };
  }
}

function passedAll(sample: Sample, passed: Map<number, number>): boolean {
  return [...sample.ends].every(([partition, end]) => (passed.get(partition) ?? 0) >= end);
}
