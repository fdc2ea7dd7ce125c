/**
 * The rules scrub.ts applies, in order. Every pattern runs in time linear in the text: V8's
 * regex engine backtracks, so no pattern may scan an unbounded run from many start positions
 * and then fail. Each one starts at a literal (a keyword, `://`, a token prefix) or at the first
 * character of a run (a lookbehind refuses starts inside it), and no two unbounded quantifiers
 * can share the same characters. The linearity spec times every rule on hostile shapes.
 */
export const REDACTED = '[REDACTED]';

export interface Rule {
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

/** Keeps the captured context, redacts the rest of the match. */
const keepPrefix = (_match: string, prefix: string) => `${prefix}${REDACTED}`;
const whole = () => REDACTED;

/** Replaces a value, keeping its quotes (an unterminated quote stays unterminated). */
function quotedValue(value: string): string {
  const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
  const closed = quote !== '' && value.length > 1 && value.endsWith(quote);
  return `${quote}${REDACTED}${closed ? quote : ''}`;
}
const keepPrefixQuoted = (_match: string, prefix: string, value: string) => `${prefix}${quotedValue(value)}`;

/** A quoted value, a quoted value cut off before its closing quote, or a bare value. */
const VALUE = String.raw`"[^"]*"|'[^']*'|["'][^"'\s,;}]*|(?:[^\s,;&"'}]|&(?!\w+=))+`;

/**
 * Words that make a key sensitive wherever they end it (db_password, X_API_KEY, oauth_token) or
 * are followed by a qualifier that is not itself a different field (DB_PASSWORD_PROD,
 * credentials_json); token_count, password_hash and secret_name stay.
 */
const SENSITIVE_WORD = String.raw`(?:password|passwd|pwd|passphrase|secret[_-]?key|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|account[_-]?key|credentials?|signature|auth|\bsig)`;
const QUALIFIER = String.raw`(?:[_.-](?:prod|production|prd|dev|development|stage|staging|stg|test|qa|uat|live|sandbox|local|json|b64|base64|enc|encoded|encrypted|value|raw|plain|old|new|current|primary|secondary|\d+)){0,3}`;

/** CLI flags whose next argument is a secret: --password x, --db-password 'x', -token x. */
const FLAG_WORD = String.raw`(?:password|passwd|pwd|passphrase|secret|token|api-?key|access-?key|secret-?key|private-?key|credentials?)`;

/** The base64 text of `word` at each of the three byte alignments it can have inside a blob. */
export function base64Markers(word: string): string[] {
  return [0, 1, 2].map((shift) => {
    const encoded = Buffer.from('\0'.repeat(shift) + word).toString('base64');
    const first = Math.ceil(shift / 3) * 4;
    const last = Math.floor((shift + word.length) / 3) * 4;
    return encoded.slice(first, last);
  });
}

/** A base64 blob holding a service account key or a PEM private key (a k8s secret, a *_B64 variable). */
const KEY_MATERIAL_MARKERS = [...base64Markers('service_account'), ...base64Markers('PRIVATE KEY')];

/** Cookie pairs keep their names; Set-Cookie keeps its attributes (Path, HttpOnly) and redacts the first pair's value. */
function redactCookies(prefix: string, value: string): string {
  const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
  const closed = quote !== '' && value.length > 1 && value.endsWith(quote);
  const inner = value.slice(quote.length, closed ? -1 : undefined);
  const pair = /^set-/i.test(prefix) ? /^(\s*[^=;\s]+=)[^;]*/ : /(?<![^;\s])([^=;\s]+=)[^;]*/g;
  const redacted = pair.test(inner) ? inner.replace(pair, keepPrefix) : inner.trim() === '' ? inner : REDACTED;
  return `${prefix}${quote}${redacted}${closed ? quote : ''}`;
}

export const RULES: Rule[] = [
  {
    // PEM (RSA, EC, OPENSSH, ENCRYPTED) and PGP blocks, also JSON-escaped (\n) or cut off.
    name: 'private key block',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
    replace: () => `${REDACTED} PRIVATE KEY`,
  },
  {
    // scheme://user:password@host; starts at `://`, so a long scheme-like run is never rescanned.
    name: 'password in URL',
    pattern: /(?<=[a-z0-9+.-])(:\/\/[^\s:/@]*):([^\s@/]+)@/gi,
    replace: (_m, prefix) => `${prefix}:${REDACTED}@`,
  },
  {
    name: 'Slack webhook URL',
    pattern: /\b(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/gi,
    replace: keepPrefix,
  },
  {
    // Authorization: Bearer x, "Authorization": "Basic x", Proxy-Authorization=x.
    name: 'authorization header',
    pattern: /\b(Authorization["']?\s*[:=]\s*(?:["']\s*)?(?:(?:Basic|Bearer|Token|Digest)\s+)?)[A-Za-z0-9\-._~+/=]{8,}/gi,
    replace: keepPrefix,
  },
  {
    name: 'bearer token',
    pattern: /\b(Bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/g,
    replace: keepPrefix,
  },
  {
    name: 'cookie header',
    pattern: /(?<![\w-])((?:Set-)?Cookie["']?\s*[:=]\s*)("[^"\r\n]*"?|'[^'\r\n]*'?|[^\r\n]*)/gi,
    replace: (_m, prefix, value) => redactCookies(prefix, value),
  },
  {
    // CREATE USER x IDENTIFIED BY 'pw' / IDENTIFIED WITH mysql_native_password BY 'pw' / Oracle's unquoted form.
    name: 'SQL IDENTIFIED BY',
    pattern: /\b(IDENTIFIED\s+(?:WITH\s+\w+\s+)?BY\s+(?:PASSWORD\s+)?)('[^']*'|"[^"]*"|[^\s;'"]+)/gi,
    replace: keepPrefixQuoted,
  },
  {
    // CREATE ROLE x WITH [ENCRYPTED] PASSWORD 'pw', ALTER USER x PASSWORD 'pw': quoted only, so prose stays.
    name: 'SQL PASSWORD literal',
    pattern: /\b(PASSWORD\s+)('[^']*'|"[^"]*")/gi,
    replace: keepPrefixQuoted,
  },
  {
    name: 'secret CLI flag',
    pattern: new RegExp(String.raw`(?<![\w-])(--?(?:[a-z0-9]+-){0,3}${FLAG_WORD}[ \t]+)("[^"]*"|'[^']*'|[^\s"'-]\S*)`, 'gi'),
    replace: keepPrefixQuoted,
  },
  {
    // key=value, key: value, "key": "value", KEY='value'. Only the sensitive word and what follows
    // it are matched: the rest of the key is context and never scanned. '&' ends a value only
    // where a query parameter (&name=) follows.
    name: 'sensitive key/value pair',
    pattern: new RegExp(String.raw`(${SENSITIVE_WORD}${QUALIFIER}\b["']?\s*[:=]\s*)(${VALUE})`, 'gi'),
    replace: keepPrefixQuoted,
  },
  {
    name: 'base64 key material',
    pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{64,}={0,2}/g,
    replace: (blob) => (KEY_MATERIAL_MARKERS.some((marker) => blob.includes(marker)) ? REDACTED : blob),
  },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g, replace: whole },
  { name: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g, replace: whole },
  { name: 'GitLab token', pattern: /\bgl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,}/g, replace: whole },
  { name: 'Slack token', pattern: /\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}\b/g, replace: whole },
  { name: 'Stripe key', pattern: /\b(?:[sr]k_(?:live|test)_|whsec_)[A-Za-z0-9]{16,}\b/g, replace: whole },
  {
    // OpenAI (sk-, sk-proj-, sk-svcacct-) and Anthropic (sk-ant-) keys. A random key mixes digits,
    // upper and lower case; a name (sk-learn-pipeline-v2) does not.
    name: 'OpenAI/Anthropic key',
    pattern: /\bsk-[A-Za-z0-9_-]{20,}/g,
    replace: (key) => (/\d/.test(key) && /[A-Z]/.test(key) && /[a-z]/.test(key) ? REDACTED : key),
  },
  { name: 'Databricks token', pattern: /\bdapi[a-f0-9]{32}(?:-\d+)?\b/g, replace: whole },
  { name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: whole },
  { name: 'PyPI token', pattern: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g, replace: whole },
  { name: 'SendGrid key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, replace: whole },
  { name: 'Google OAuth token', pattern: /\bya29\.[A-Za-z0-9_-]{20,}/g, replace: whole },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z\-_]{35}\b/g, replace: whole },
  {
    // Starts only at the first character of a run of token characters; the atomic lookahead
    // finds the run's first `eyJ` there, so a run like eyJ-eyJ-eyJ-… is scanned once, not per eyJ.
    name: 'JSON web token',
    pattern: /(?<![A-Za-z0-9_-])(?=([A-Za-z0-9_-]*?\beyJ))\1[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
    replace: (_m, lead) => `${lead.slice(0, -3)}${REDACTED}`,
  },
];

/** Text mentioning a MySQL/MariaDB client, where `-pSecret` is a password (elsewhere -p is a port or a gcc flag). */
export const MYSQL_CLIENT = /\b(?:mysql|mariadb)/i;
export const MYSQL_PASSWORD_FLAG: Rule = {
  name: 'mysql -p<password>',
  pattern: /(?<![\w-])(-p)(?=[^\s-])\S+/g,
  replace: keepPrefix,
};
