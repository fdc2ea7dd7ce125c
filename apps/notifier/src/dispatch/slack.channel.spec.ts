import { storedMessage } from './slack.channel';

describe('storedMessage', () => {
  it('reads the chat.postMessage body an alert was opened with, and nothing else (so the series ends, not loops)', () => {
    expect(storedMessage('{"channel":"#alerts","text":"run failed"}')).toEqual({ channel: '#alerts', text: 'run failed' });
    for (const body of ['', 'not json', '[]', 'null', '"text"']) expect(storedMessage(body)).toBeUndefined();
  });
});
