import { Admin } from 'kafkajs';
import { ReadModelBehindError, ReadModelWatermark } from './read-model-watermark';

/** The group's committed offsets as the test sets them (partition → offset). */
function group(): { admin: Admin; committed: Map<number, number> } {
  const committed = new Map<number, number>();
  const admin = {
    fetchOffsets: async () => [
      { topic: 't', partitions: [...committed].map(([partition, offset]) => ({ partition, offset: String(offset), metadata: null })) },
    ],
  } as unknown as Admin;
  return { admin, committed };
}

describe('ReadModelWatermark', () => {
  const needed = new Map([
    [0, '9'],
    [2, '4'],
  ]);

  it('waits until the group has committed past every offset, and gives up after its timeout', async () => {
    const { admin, committed } = group();
    const watermark = new ReadModelWatermark(admin, 'g', 't');
    committed.set(0, 10).set(2, 4);
    await expect(watermark.waitFor(needed, 0)).rejects.toThrow('runs.events.v1[2]@4 yet (materializer group g committed 4)');
    committed.set(2, 5);
    await expect(watermark.waitFor(needed, 0)).resolves.toBeUndefined();
  });

  it('confirms a read only while the commits still pass it: a rebuild rewinding the group fails the confirmation', async () => {
    const { admin, committed } = group();
    const watermark = new ReadModelWatermark(admin, 'g', 't');
    committed.set(0, 10).set(2, 5);
    await watermark.waitFor(needed, 0);
    await expect(watermark.confirm(needed)).resolves.toBeUndefined();
    committed.set(0, 0).set(2, 0);
    await expect(watermark.confirm(needed)).rejects.toBeInstanceOf(ReadModelBehindError);
    committed.delete(0);
    await expect(watermark.confirm(needed)).rejects.toThrow('runs.events.v1[0]@9 yet (materializer group g committed nothing)');
  });
});
