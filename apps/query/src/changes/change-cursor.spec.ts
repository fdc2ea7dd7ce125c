import { BadRequestException, GoneException } from '@nestjs/common';
import { formatFeedCursor, parseFeedCursor } from './change-cursor';

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
    expect(() => parseFeedCursor(encode('2|org|'), 'org')).toThrow(GoneException);
  });
});
