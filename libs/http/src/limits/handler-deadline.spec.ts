import { DeadlineReply, HandlerDeadline } from './handler-deadline';

interface FakeReply extends DeadlineReply {
  name: string;
  sent: boolean;
  raw: { destroyed: boolean };
}

const reply = (name: string): FakeReply => ({ name, sent: false, raw: { destroyed: false } });

describe('HandlerDeadline', () => {
  let clock = 0;
  let expired: string[];
  let deadline: HandlerDeadline<FakeReply>;

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 0;
    expired = [];
    deadline = new HandlerDeadline<FakeReply>(
      1_000,
      (r) => expired.push(r.name),
      () => clock,
    );
  });

  afterEach(() => jest.useRealTimers());

  const advance = (ms: number): void => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };

  it('expires each unanswered request once its own deadline has passed, oldest first', () => {
    const [a, b, c] = [reply('a'), reply('b'), reply('c')];
    deadline.start(a);
    advance(300);
    deadline.start(b);
    advance(300);
    deadline.start(c);
    advance(399);
    expect(expired).toEqual([]);
    advance(1);
    expect(expired).toEqual(['a']);
    advance(300);
    expect(expired).toEqual(['a', 'b']);
    advance(300);
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(deadline.size).toBe(0);
  });

  it('leaves answered, sent and closed requests alone', () => {
    const [answered, sent, closed, late] = [reply('answered'), reply('sent'), reply('closed'), reply('late')];
    for (const r of [answered, sent, closed, late]) deadline.start(r);
    deadline.finish(answered);
    sent.sent = true;
    closed.raw.destroyed = true;
    advance(1_000);
    expect(expired).toEqual(['late']);
    expect(deadline.size).toBe(0);
  });

  it('keeps watching after a quiet spell', () => {
    deadline.start(reply('first'));
    advance(5_000);
    deadline.start(reply('second'));
    advance(999);
    expect(expired).toEqual(['first']);
    advance(1);
    expect(expired).toEqual(['first', 'second']);
  });
});
