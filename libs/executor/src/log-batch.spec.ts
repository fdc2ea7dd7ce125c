import { LogBuffer, lineLevel, MAX_MESSAGE_CHARS, MAX_QUEUED_MESSAGES, packLines, splitText } from './log-batch';

describe('lineLevel', () => {
  it('stdout is info, stderr warn, an error report either stream error', () => {
    expect(lineLevel('stdout', '12:00:01  1 of 3 OK created sql table model a ... [OK in 0.1s]')).toBe('info');
    expect(lineLevel('stderr', 'DeprecationWarning: something')).toBe('warn');
    expect(lineLevel('stdout', '12:00:02  Database Error in model orders (models/orders.sql)')).toBe('error');
    expect(lineLevel('stdout', '12:00:02  Completed with 1 error and 0 warnings:')).toBe('error');
    expect(lineLevel('stdout', '12:00:02  Done. PASS=2 WARN=0 ERROR=1 SKIP=0 TOTAL=3')).toBe('error');
    expect(lineLevel('stdout', '12:00:02  2 of 3 FAIL 1 not_null_orders_id ..... [FAIL 1 in 0.1s]')).toBe('error');
    expect(lineLevel('stderr', 'Traceback (most recent call last):')).toBe('error');
    expect(lineLevel('stdout', '{"info": {"level": "error", "msg": "boom"}}')).toBe('error');
  });

  it('zero error counts are not errors', () => {
    expect(lineLevel('stdout', '12:00:02  Done. PASS=3 WARN=0 ERROR=0 SKIP=0 TOTAL=3')).toBe('info');
    expect(lineLevel('stdout', 'Completed successfully with 0 errors')).toBe('info');
    expect(lineLevel('stdout', 'error_rate column added')).toBe('info');
  });
});

describe('splitText', () => {
  it('cuts at the limit without splitting a surrogate pair', () => {
    expect(splitText('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    const pieces = splitText(`ab${'😀'.repeat(3)}`, 3);
    expect(pieces.join('')).toBe(`ab${'😀'.repeat(3)}`);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(3);
      expect(piece).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  });
});

describe('packLines', () => {
  it('joins consecutive lines of one level with newlines, in order', () => {
    expect(
      packLines([
        { level: 'info', message: 'a' },
        { level: 'info', message: 'b' },
        { level: 'error', message: 'c' },
        { level: 'info', message: 'd' },
      ]),
    ).toEqual([
      { level: 'info', message: 'a\nb' },
      { level: 'error', message: 'c' },
      { level: 'info', message: 'd' },
    ]);
  });

  it('keeps every message within the limit and loses no character', () => {
    const lines = Array.from({ length: 50 }, (_, i) => ({ level: 'info' as const, message: `${i}`.padEnd(700 + i * 37, 'x') }));
    lines.push({ level: 'info', message: 'y'.repeat(MAX_MESSAGE_CHARS * 2 + 5) });
    const messages = packLines(lines);
    expect(Math.max(...messages.map((m) => m.message.length))).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(
      messages
        .map((m) => m.message)
        .join('\n')
        .replace(/\n/g, ''),
    ).toBe(lines.map((l) => l.message).join(''));
    expect(messages.length).toBeLessThan(lines.length);
  });

  it('drops batches of blank lines only', () => {
    expect(
      packLines([
        { level: 'info', message: '' },
        { level: 'info', message: '  ' },
      ]),
    ).toEqual([]);
  });
});

describe('LogBuffer', () => {
  it('lines sealed while a message waits join it', () => {
    const buffer = new LogBuffer();
    buffer.push('info', 'a');
    buffer.seal();
    buffer.push('info', 'b');
    buffer.seal();
    expect(buffer.next()).toEqual({ level: 'info', message: 'a\nb' });
    expect(buffer.next()).toBeUndefined();
  });

  it('keeps the newest messages when too many wait, and says how many were dropped', () => {
    const buffer = new LogBuffer();
    for (let i = 0; i < MAX_QUEUED_MESSAGES + 7; i++) {
      buffer.push(i % 2 === 0 ? 'info' : 'warn', `line ${i}`);
    }
    buffer.seal();
    expect(buffer.next()).toEqual({ level: 'warn', message: expect.stringContaining('7 log lines or messages dropped') });
    expect(buffer.next()).toEqual({ level: 'warn', message: 'line 7' });
    let last;
    for (let m = buffer.next(); m; m = buffer.next()) last = m;
    expect(last?.message).toBe(`line ${MAX_QUEUED_MESSAGES + 6}`);
  });

  it('seals a flood of lines alternating levels (one message each) without overflowing the stack', () => {
    const buffer = new LogBuffer();
    for (let i = 0; i < 300_000; i++) buffer.push(i % 2 === 0 ? 'error' : 'info', i % 2 === 0 ? 'error x' : 'x');
    expect(() => buffer.seal()).not.toThrow();
    expect(buffer.next()?.message).toMatch(/^\[runstream agent\] \d+ log lines or messages dropped/);
    let kept = 0;
    while (buffer.next()) kept++;
    expect(kept).toBe(MAX_QUEUED_MESSAGES);
  });

  it('holds at most about what the queue could send between two seals, dropping the oldest lines', () => {
    const buffer = new LogBuffer();
    const line = 'y'.repeat(9_999);
    for (let i = 0; i < 5 * MAX_QUEUED_MESSAGES; i++) buffer.push('info', `${String(i).padStart(6, '0')}${line}`.slice(0, 9_999));
    buffer.seal();
    const note = buffer.next();
    expect(note?.message).toMatch(/dropped/);
    const first = buffer.next();
    // The newest lines survive: the last one pushed is the last one sent.
    let last = first;
    for (let m = buffer.next(); m; m = buffer.next()) last = m;
    expect(last?.message.startsWith(String(5 * MAX_QUEUED_MESSAGES - 1).padStart(6, '0'))).toBe(true);
  });
});
