/**
 * Removes credentials from text a runner sends (log messages, error summaries) before it
 * becomes an event: once on Kafka it is immutable, so scrubbing cannot wait for a read.
 * Each rule keeps the context (the key, the scheme, the user) and replaces only the secret,
 * so a scrubbed line still says what went wrong.
 */
export const REDACTED = '[REDACTED]';

interface Rule {
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const SENSITIVE_KEY = String.raw`[A-Za-z0-9_.-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth)`;

const RULES: Rule[] = [
  {
    name: 'private key block',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: () => `${REDACTED} PRIVATE KEY`,
  },
  {
    // scheme://user:password@host  (postgres, snowflake, mysql, redis, amqp, https, ...)
    name: 'password in URL',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi,
    replace: (_m, prefix) => `${prefix}:${REDACTED}@`,
  },
  {
    name: 'authorization header',
    pattern: /\b(Authorization\s*[:=]\s*["']?(?:Basic|Bearer|Token|Digest)?\s*)[A-Za-z0-9\-._~+/=]{8,}/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
  },
  {
    name: 'bearer token',
    pattern: /\b(Bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/g,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
  },
  {
    // key=value, key: value, "key": "value", KEY='value'; keys ending in a sensitive word.
    // '&' ends a value only where a query parameter (&name=) follows.
    name: 'sensitive key/value pair',
    pattern: new RegExp(String.raw`(["']?\b${SENSITIVE_KEY}\b["']?\s*[:=]\s*)("[^"]*"|'[^']*'|(?:[^\s,;&"'}]|&(?!\w+=))+)`, 'gi'),
    replace: (_m, prefix, value) => {
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
      return `${prefix}${quote}${REDACTED}${quote}`;
    },
  },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g, replace: () => REDACTED },
  { name: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g, replace: () => REDACTED },
  { name: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, replace: () => REDACTED },
  { name: 'Stripe key', pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g, replace: () => REDACTED },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z\-_]{35}\b/g, replace: () => REDACTED },
  { name: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, replace: () => REDACTED },
];

export function scrub(text: string): string {
  let result = text;
  for (const rule of RULES) result = result.replace(rule.pattern, rule.replace as (substring: string, ...args: string[]) => string);
  return result;
}
