import { Admin } from 'kafkajs';
import { MaterializedUpTo } from './materialized-up-to';

/** Topic ends and the group's committed offsets as the test sets them (partition → offset). */
function offsets(): { admin: Admin; ends: Map<number, number>; committed: Map<number, number> } {
  const ends = new Map<number, number>();
  const committed = new Map<number, number>();
  const admin = {
    fetchTopicOffsets: async () => [...ends].map(([partition, high]) => ({ partition, offset: String(high), high: String(high), low: '0' })),
    fetchOffsets: async () => [
      { topic: 't', partitions: [...committed].map(([partition, offset]) => ({ partition, offset: String(offset), metadata: null })) },
    ],
  } as unknown as Admin;
  return { admin, ends, committed };
}

const at = (s: number): Date => new Date(Date.UTC(2026, 1, 1, 10, 0, s));

describe('MaterializedUpTo', () => {
  it('answers the newest sample whose end offsets the materializer has committed past', async () => {
    const { admin, ends, committed } = offsets();
    const upTo = new MaterializedUpTo(admin, 't', 'g');
    ends.set(0, 10).set(1, 5);
    committed.set(0, 10).set(1, 5);
    expect(await upTo.sample(at(0))).toEqual(at(0));
    // Reports arrive; the materializer stops: the answer stays at the last complete sample.
    ends.set(0, 14);
    expect(await upTo.sample(at(1))).toEqual(at(0));
    ends.set(1, 9);
    expect(await upTo.sample(at(2))).toEqual(at(0));
    // It catches up with the sample of second 1 only: partition 1 is still behind second 2's end.
    committed.set(0, 14).set(1, 8);
    expect(await upTo.sample(at(3))).toEqual(at(1));
    committed.set(1, 9);
    expect(await upTo.sample(at(4))).toEqual(at(4));
  });

  it('is null until the materializer has passed any sample, and counts a never-committed partition from its low offset', async () => {
    const { admin, ends, committed } = offsets();
    const upTo = new MaterializedUpTo(admin, 't', 'g');
    ends.set(0, 3).set(1, 0);
    committed.set(0, 2).set(1, -1);
    expect(await upTo.sample(at(0))).toBeNull();
    committed.set(0, 3);
    expect(await upTo.sample(at(1))).toEqual(at(1));
    ends.set(1, 1);
    expect(await upTo.sample(at(2))).toEqual(at(1));
  });

  it('tells whether the commits still pass the sample it answered, and not after a rebuild rewound them', async () => {
    const { admin, ends, committed } = offsets();
    const upTo = new MaterializedUpTo(admin, 't', 'g');
    expect(await upTo.stillPassed()).toBe(false);
    ends.set(0, 10).set(1, 5);
    committed.set(0, 10).set(1, 5);
    expect(await upTo.sample(at(0))).toEqual(at(0));
    ends.set(0, 12);
    expect(await upTo.stillPassed()).toBe(true);
    // A rebuild rewinds the group to 0 before it empties the tables.
    committed.set(0, 0).set(1, 0);
    expect(await upTo.stillPassed()).toBe(false);
    expect(await upTo.sample(at(1))).toBeNull();
    // The rebuild ends by committing the end offsets it replayed to.
    committed.set(0, 12).set(1, 5);
    expect(await upTo.stillPassed()).toBe(true);
    expect(await upTo.sample(at(2))).toEqual(at(2));
  });
});
