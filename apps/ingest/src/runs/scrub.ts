/**
 * Removes credentials from text a runner sends (log messages, error summaries, telemetry summary
 * strings) before it becomes an event: once on Kafka it is immutable, so scrubbing cannot wait
 * for a read. Each rule keeps the context (the key, the scheme, the user) and replaces only the
 * secret, so a scrubbed line still says what went wrong. Time is linear in the text's length
 * (scrub-rules.ts says how), so a hostile body cannot hold ingest's event loop.
 */
import { MYSQL_CLIENT, MYSQL_PASSWORD_FLAG, REDACTED, Rule, RULES } from './scrub-rules';

export { REDACTED };

function apply(text: string, rule: Rule): string {
  return text.replace(rule.pattern, rule.replace as (substring: string, ...args: string[]) => string);
}

export function scrub(text: string): string {
  let result = text;
  for (const rule of RULES) result = apply(result, rule);
  if (MYSQL_CLIENT.test(result)) result = apply(result, MYSQL_PASSWORD_FLAG);
  return result;
}
