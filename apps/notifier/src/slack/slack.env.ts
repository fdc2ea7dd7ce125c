import { IsInt, IsUrl, Matches, Max, Min } from 'class-validator';

/** The notifier's Slack settings (env), validated by loadEnv. */
export class SlackEnv {
  /**
   * The Slack app's bot token (xoxb-…). Empty: Slack alerts are recorded as failed attempts
   * naming this variable, so a job asking for them shows why none arrived.
   */
  @Matches(/^[\x21-\x7e]*$/, { message: 'NOTIFIER_SLACK_BOT_TOKEN must be a Slack token (printable characters, no spaces)' })
  NOTIFIER_SLACK_BOT_TOKEN = '';

  /** The Web API's base; another value points the notifier at a proxy or a stand-in. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'NOTIFIER_SLACK_API_URL must be an http(s) URL' })
  NOTIFIER_SLACK_API_URL = 'https://slack.com/api';

  /** Longest one chat.postMessage attempt may take, connect to last byte read. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  NOTIFIER_SLACK_TIMEOUT_MS: number = 10_000;
}
