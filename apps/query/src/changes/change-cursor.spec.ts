import { BadRequestException, GoneException } from '@nestjs/common';
import { fingerprintMatches, fingerprintOf, formatFeedCursor, parseFeedCursor } from './change-cursor';

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('change-feed cursor', () => {
  it('round-trips positions and scope', () => {
    const cursor = {
      scope: 'project:proj_a',
      positions: [
        { offset: 0n, eventId: '' },
        { offset: 9007199254740991n, eventId: '0195fd5e' },
      ],
    };
    expect(parseFeedCursor(formatFeedCursor(cursor), 'project:proj_a')).toEqual(cursor);
  });

  it('reads a format 1 cursor, whose fingerprints were the first digits of the event id, as such', () => {
    expect(parseFeedCursor(encode('1|org|5:0195fd5e,0:'), 'org')).toEqual({
      scope: 'org',
      positions: [
        { offset: 5n, eventId: 'h0195fd5e' },
        { offset: 0n, eventId: '' },
      ],
    });
    expect(fingerprintMatches('h0195fd5e', '0195fd5e-0000-7000-8000-0000aaaabbbb')).toBe(true);
  });

  it("fingerprints an event by its id's random tail: two events of one minute differ", () => {
    const [first, second] = ['01a2200c-1111-7000-8000-00000000beef', '01a2200c-2222-7000-8000-00000000cafe'];
    expect(fingerprintOf(first)).toBe('0000beef');
    expect(fingerprintMatches(fingerprintOf(first), first)).toBe(true);
    expect(fingerprintMatches(fingerprintOf(first), second)).toBe(false);
  });

  it('starts at the beginning without a cursor', () => {
    expect(parseFeedCursor(undefined, 'org')).toEqual({ scope: 'org', positions: [] });
  });

  it.each(['nope!', encode('garbage'), encode('1|org|x:1'), encode('1|org|1:ZZ'), encode('1|org|99999999999999999999:')])(
    'refuses %s as a 400 naming cursor',
    (text) => {
      expect(() => parseFeedCursor(text, 'org')).toThrow(BadRequestException);
      expect(() => parseFeedCursor(text, 'org')).toThrow(/cursor/);
    },
  );

  it('refuses a cursor of another feed (400) and of an unknown format version (410)', () => {
    expect(() => parseFeedCursor(formatFeedCursor({ scope: 'org', positions: [] }), 'project:p')).toThrow(BadRequestException);
    expect(() => parseFeedCursor(encode('3|org|'), 'org')).toThrow(GoneException);
  });
});
