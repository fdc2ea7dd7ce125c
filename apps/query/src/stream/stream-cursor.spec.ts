import { BadRequestException } from '@nestjs/common';
import { formatStreamCursor, parseStreamCursor, STREAM_START } from './stream-cursor';

describe('stream cursor (SSE event ids)', () => {
  it('round-trips through the event id', () => {
    const cursor = { runOffset: 18446744073709551615n, logGeneration: 2, logSeq: 499, sampleGeneration: 0, sampleSeq: -1 };
    expect(parseStreamCursor(formatStreamCursor(cursor))).toEqual(cursor);
  });

  it('starts from the beginning without a Last-Event-ID', () => {
    expect(parseStreamCursor(undefined)).toEqual(STREAM_START);
    expect(parseStreamCursor('')).toEqual(STREAM_START);
  });

  it.each(['x', '1_2_3_4', '1_2_3_4_5_6', '1.2.3.4.5', '-2_0_0_0_0', '1_0_0_0_99999999999'])('refuses %s naming the header', (id) => {
    expect(() => parseStreamCursor(id)).toThrow(BadRequestException);
    expect(() => parseStreamCursor(id)).toThrow(/Last-Event-ID/);
  });
});
