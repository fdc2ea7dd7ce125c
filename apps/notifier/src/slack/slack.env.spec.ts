import { loadEnv } from '@runstream/config';
import { SlackEnv } from './slack.env';

describe('SlackEnv', () => {
  it('defaults to no token, the public Web API and a 10 s timeout', () => {
    expect(loadEnv({ slack: SlackEnv }, {}).slack).toEqual({
      NOTIFIER_SLACK_BOT_TOKEN: '',
      NOTIFIER_SLACK_API_URL: 'https://slack.com/api',
      NOTIFIER_SLACK_TIMEOUT_MS: 10_000,
    });
  });

  it('reads a token, a local stand-in URL and a timeout', () => {
    const env = { NOTIFIER_SLACK_BOT_TOKEN: 'xoxb-1-2-abc', NOTIFIER_SLACK_API_URL: 'http://127.0.0.1:3999/api/', NOTIFIER_SLACK_TIMEOUT_MS: '2500' };
    expect(loadEnv({ slack: SlackEnv }, env).slack).toEqual({
      NOTIFIER_SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      NOTIFIER_SLACK_API_URL: 'http://127.0.0.1:3999/api/',
      NOTIFIER_SLACK_TIMEOUT_MS: 2500,
    });
  });

  it.each([
    ['NOTIFIER_SLACK_API_URL', 'slack.com/api'],
    ['NOTIFIER_SLACK_API_URL', 'ftp://slack.com/api'],
    ['NOTIFIER_SLACK_TIMEOUT_MS', '99'],
    ['NOTIFIER_SLACK_TIMEOUT_MS', '120001'],
    ['NOTIFIER_SLACK_TIMEOUT_MS', 'soon'],
    ['NOTIFIER_SLACK_BOT_TOKEN', 'xoxb-1 2'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() => loadEnv({ slack: SlackEnv }, { [name]: value })).toThrow(new RegExp(name));
  });

  it('never quotes the token in its complaint', () => {
    expect(() => loadEnv({ slack: SlackEnv }, { NOTIFIER_SLACK_BOT_TOKEN: 'xoxb-secret value' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') }),
    );
  });
});
