import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';

/** `true`/`1` and `false`/`0` (the raw text: implicit conversion would read "false" as true); anything else stays and fails validation. */
function parseFlag(raw: unknown): unknown {
  if (raw === true || raw === 'true' || raw === '1') return true;
  if (raw === undefined || raw === false || raw === 'false' || raw === '0') return false;
  return raw;
}

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
