import { watermarksOf } from './feed-watermarks.table';

describe('watermarksOf', () => {
  it('is one past the highest offset of each partition', () => {
    const rows = watermarksOf([
      { partition: 0, offset: '7' },
      { partition: 2, offset: '3' },
      { partition: 0, offset: '9' },
      { partition: 0, offset: '8' },
      { partition: 2, offset: '18446744073709551614' },
    ]);
    expect(rows).toEqual([
      { kafka_partition: 0, next_offset: '10' },
      { kafka_partition: 2, next_offset: '18446744073709551615' },
    ]);
  });
});
