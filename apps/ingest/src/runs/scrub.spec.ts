import { REDACTED, scrub } from './scrub';

const R = REDACTED;

/** [input, expected]: what a warehouse runner really logs, and what must be stored. */
const MUST_SCRUB: [string, string][] = [
  ['connecting to postgres://loader:s3cr3t!@db.internal:5432/analytics', `connecting to postgres://loader:${R}@db.internal:5432/analytics`],
  ['postgresql://admin:p%40ss@10.0.0.5/warehouse failed', `postgresql://admin:${R}@10.0.0.5/warehouse failed`],
  ['mysql://root:hunter2@localhost/db', `mysql://root:${R}@localhost/db`],
  ['snowflake://etl_user:Winter2026!@acme.eu-west-1/ANALYTICS/PUBLIC', `snowflake://etl_user:${R}@acme.eu-west-1/ANALYTICS/PUBLIC`],
  ['redis://:topsecret@cache:6379/0', `redis://:${R}@cache:6379/0`],
  ['amqp://guest:guest@rabbit:5672/', `amqp://guest:${R}@rabbit:5672/`],
  ['mongodb+srv://app:Zx9q@cluster0.mongodb.net/prod', `mongodb+srv://app:${R}@cluster0.mongodb.net/prod`],
  ['fetching https://bot:ghs_abcdef@github.com/acme/repo.git', `fetching https://bot:${R}@github.com/acme/repo.git`],
  ['password=hunter2', `password=${R}`],
  ['PASSWORD=hunter2 USER=bob', `PASSWORD=${R} USER=bob`],
  ['db_password: "correct horse battery staple"', `db_password: "${R}"`],
  ["conn opts host=db user=etl password='x y z' sslmode=require", `conn opts host=db user=etl password='${R}' sslmode=require`],
  ['{"user":"etl","password":"s3cret","host":"db"}', `{"user":"etl","password":"${R}","host":"db"}`],
  ['Driver={Snowflake};Server=acme;UID=etl;PWD=Sup3r;Warehouse=WH', `Driver={Snowflake};Server=acme;UID=etl;PWD=${R};Warehouse=WH`],
  ['token=abc123def456', `token=${R}`],
  ['api_key=0123456789abcdef', `api_key=${R}`],
  ['apiKey: sk-proj-abcdef123456', `apiKey: ${R}`],
  ['X_API_KEY=zzz', `X_API_KEY=${R}`],
  ['client_secret=shhh&grant_type=client_credentials', `client_secret=${R}&grant_type=client_credentials`],
  ['?access_token=ya29.a0AfH6SMB&alt=json', `?access_token=${R}&alt=json`],
  ['refresh_token: 1//0gAbCdEf', `refresh_token: ${R}`],
  ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key = ${R}`],
  ['AWS_SESSION_TOKEN=FwoGZXIvYXdzEBYaDK', `AWS_SESSION_TOKEN=${R}`],
  ['using key AKIAIOSFODNN7EXAMPLE for s3://bucket', `using key ${R} for s3://bucket`],
  ['temporary creds ASIAY34FZKBOKMUTVV7A expired', `temporary creds ${R} expired`],
  ['secret: abc', `secret: ${R}`],
  ['GCP_PRIVATE_KEY=MIIEvQIBADANBg', `GCP_PRIVATE_KEY=${R}`],
  ['passphrase=opensesame', `passphrase=${R}`],
  ['credentials=user:pass', `credentials=${R}`],
  ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdefgh', `Authorization: Bearer ${R}`],
  ['Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l', `Authorization: Basic ${R}`],
  ['curl -H "Authorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a"', `curl -H "Authorization: token ${R}"`],
  ['request failed with Bearer abcdefghijklmnop1234 (401)', `request failed with Bearer ${R} (401)`],
  ['push with ghp_16C7e42F292c6912E7710c838347Ae178B4a', `push with ${R}`],
  ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', R],
  ['slack hook xoxb-123456789012-abcdefghijkl failed', `slack hook ${R} failed`],
  ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc', `stripe ${R}`],
  ['maps key AIzaSyA-1234567890abcdefghijklmnopqrstu', `maps key ${R}`],
  [
    'jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok',
    `jwt ${R} ok`,
  ],
  [
    'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----\ndone',
    `key:\n${R} PRIVATE KEY\ndone`,
  ],
  ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (truncated', `${R} PRIVATE KEY`],
  ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----', `${R} PRIVATE KEY`],
  ['dbt: profile target prod password: Tr0ub4dor&3', `dbt: profile target prod password: ${R}`],
  ['SNOWFLAKE_PASSWORD=abc; export X=1', `SNOWFLAKE_PASSWORD=${R}; export X=1`],
  ['set auth=xyz', `set auth=${R}`],
];

const MUST_KEEP: string[] = [
  'Loaded 1,250,000 rows into analytics.orders in 150.2s',
  'model orders.stg_orders completed: 524288000 bytes processed',
  'SELECT * FROM users WHERE token_count > 5',
  'max_tokens=100 temperature=0.2',
  'tokens=42 processed',
  'column password_hash dropped from users',
  'password reset emails table refreshed',
  'secret santa assignments model built',
  'model stg_tokens built in 2.1s',
  'connecting to postgres://analytics@db:5432/warehouse',
  'see https://docs.getdbt.com/reference/commands/run?page=2',
  'git sha 9f2c1e0b7a6d5c4b3a29f8e7d6c5b4a3f2e1d0c9',
  'Bearer of bad news: 3 models failed',
  'run_id=run_01a20617e00b715ca15be04283ed98d5 status=success',
  'interval 2026-02-25T00:00:00Z..2026-02-26T00:00:00Z',
  'Warning: 12 tests skipped (auth module not configured)',
  'uuid 01a20619-3f25-744b-aba9-6c75ab5cfdf1 committed',
  'keyspace=analytics replication=3',
];

describe('scrub', () => {
  it('holds at least 50 cases', () => {
    expect(MUST_SCRUB.length + MUST_KEEP.length).toBeGreaterThanOrEqual(50);
  });

  it.each(MUST_SCRUB)('scrubs %j', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each(MUST_KEEP)('keeps %j', (input) => {
    expect(scrub(input)).toBe(input);
  });

  it('is idempotent', () => {
    for (const [input] of MUST_SCRUB) expect(scrub(scrub(input))).toBe(scrub(input));
  });
});
