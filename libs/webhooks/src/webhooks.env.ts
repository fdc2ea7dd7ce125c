import { parseFlag } from '@runstream/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';

/** The notifier's webhook settings (env), validated by loadEnv. */
export class WebhooksEnv {
  /** Let webhook URLs reach loopback, private and link-local addresses: local development and tests only. */
  @Transform(({ obj }) => parseFlag((obj as Record<string, unknown>).NOTIFIER_ALLOW_PRIVATE_URLS))
  @IsBoolean()
  NOTIFIER_ALLOW_PRIVATE_URLS: boolean = false;

  /** Longest one attempt may take, connect to last byte read. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  NOTIFIER_WEBHOOK_TIMEOUT_MS: number = 10_000;
}
