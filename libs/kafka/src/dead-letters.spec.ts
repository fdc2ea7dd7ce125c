import { cutToBytes, deadLetterMessage, fittedDeadLetter } from './dead-letters';
import { DEAD_LETTER_HEADROOM_BYTES, DEAD_LETTER_REASON_MAX_BYTES } from './record-size';

describe('dead letters', () => {
  const message = { topic: 'runs.events.v1', partition: 5, offset: '123456789', key: 'run_1', value: Buffer.from('{}') };

  it('keeps a short reason as it is', () => {
    expect(deadLetterMessage({ message, reason: 'run run_1 is unknown' }).headers['dlq.reason']).toBe('run run_1 is unknown');
  });

  it('cuts a long reason (a ClickHouse refusal, a foreign key) to its byte budget, never within a character', () => {
    const reason = `ClickHouse refused the write: ${'é😀'.repeat(400)}`;
    const cut = deadLetterMessage({ message, reason }).headers['dlq.reason'];
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(DEAD_LETTER_REASON_MAX_BYTES);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
    expect(reason.startsWith(cut.slice(0, -1))).toBe(true);
    expect(cutToBytes('abc', 3)).toBe('abc');
  });

  it("fits every header a dead letter adds within the headroom an event leaves under its topic's limit", () => {
    const longest = { ...message, topic: 't'.repeat(249), offset: '9223372036854775807' };
    const headers = deadLetterMessage({ message: longest, reason: 'x'.repeat(10_000) }).headers;
    // Each header as recordBytes counts it: 10 bytes of framing, its name and its value.
    const bytes = Object.entries(headers).reduce((sum, [name, value]) => sum + 10 + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
    expect(bytes).toBeLessThanOrEqual(DEAD_LETTER_HEADROOM_BYTES);
  });
});

describe('fittedDeadLetter', () => {
  const letter = deadLetterMessage({
    message: { topic: 'runs.events.v1', partition: 1, offset: '7', key: 'run_1', value: Buffer.alloc(2000, 0x61) },
    reason: 'unknown schema_version',
  });

  it('leaves a dead letter that fits as it is', () => {
    expect(fittedDeadLetter(letter, 4000)).toBe(letter);
  });

  it('drops the value, saying how large it was, when only that makes it fit; the key too when even that is not enough', () => {
    const withoutValue = fittedDeadLetter(letter, 1000);
    expect(withoutValue).toMatchObject({ key: 'run_1', value: Buffer.alloc(0), headers: { 'dlq.value-dropped': '2000', 'dlq.offset': '7' } });
    const longKey = { ...letter, key: 'k'.repeat(3000) };
    const bare = fittedDeadLetter(longKey, 1000);
    expect(bare).toMatchObject({ key: '', value: Buffer.alloc(0), headers: { 'dlq.value-dropped': '2000', 'dlq.key-dropped': '3000' } });
  });
});
