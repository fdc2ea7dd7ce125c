import { IncomingMessage } from '@runstream/kafka';
import { withinReplay } from './rebuild';

const message = (partition: number, offset: string): IncomingMessage => ({ topic: 'runs.events.v1', partition, offset, key: null, value: null });

describe('withinReplay', () => {
  it('keeps the messages below their partition end, and none of a partition that was empty or unknown', () => {
    const ends = new Map([
      [0, 3n],
      [1, 0n],
    ]);
    const batch = [message(0, '1'), message(0, '2'), message(0, '3'), message(0, '4'), message(1, '0'), message(2, '0')];
    expect(withinReplay(batch, ends).map((m) => `${m.partition}@${m.offset}`)).toEqual(['0@1', '0@2']);
  });
});
