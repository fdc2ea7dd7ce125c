import { REDACTED, scrub } from './scrub';
import { base64Markers } from './scrub-rules';

const R = REDACTED;

/** A JSON service account key as Google issues it (pretty-printed), and the same file base64-encoded. */
const SERVICE_ACCOUNT_JSON = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: '3f2a9c',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
    client_email: 'etl@acme-prod.iam.gserviceaccount.com',
  },
  null,
  2,
);
const SERVICE_ACCOUNT_B64 = Buffer.from(SERVICE_ACCOUNT_JSON).toString('base64');
const SERVICE_ACCOUNT_COMPACT_B64 = Buffer.from(JSON.stringify(JSON.parse(SERVICE_ACCOUNT_JSON))).toString('base64');
const PEM_B64 =
  'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktjd2dnU2pBZ0VBQW9JQkFRQzcKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=';

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
  ['jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok', `jwt ${R} ok`],
  ['key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----\ndone', `key:\n${R} PRIVATE KEY\ndone`],
  ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (truncated', `${R} PRIVATE KEY`],
  ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----', `${R} PRIVATE KEY`],
  ['dbt: profile target prod password: Tr0ub4dor&3', `dbt: profile target prod password: ${R}`],
  ['SNOWFLAKE_PASSWORD=abc; export X=1', `SNOWFLAKE_PASSWORD=${R}; export X=1`],
  ['set auth=xyz', `set auth=${R}`],
  ['Proxy-Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l', `Proxy-Authorization: Basic ${R}`],
  // Keys whose sensitive word is followed by a qualifier, or names a key.
  ['SECRET_KEY=django-insecure-7x!k2', `SECRET_KEY=${R}`],
  ['DB_PASSWORD_PROD=Zx9!q', `DB_PASSWORD_PROD=${R}`],
  ['credentials_json=eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0=', `credentials_json=${R}`],
  ['export SNOWFLAKE_PRIVATE_KEY_B64=MIIEvQIBADANBgkqhkiG9w0', `export SNOWFLAKE_PRIVATE_KEY_B64=${R}`],
  ['token_2: abc', `token_2: ${R}`],
  ["password='cut off before the quote", `password='${R} off before the quote`],
  // Service account keys: the JSON file, and base64 blobs of it or of a PEM key.
  [
    '{"type": "service_account", "private_key_id": "3f2a9c", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n", "client_email": "etl@acme.iam.gserviceaccount.com"}',
    `{"type": "service_account", "private_key_id": "3f2a9c", "private_key": "${R}", "client_email": "etl@acme.iam.gserviceaccount.com"}`,
  ],
  [`loading key file ${SERVICE_ACCOUNT_B64} for BigQuery`, `loading key file ${R} for BigQuery`],
  [`GCP_SA=${SERVICE_ACCOUNT_COMPACT_B64}`, `GCP_SA=${R}`],
  [`tls.key: ${PEM_B64}`, `tls.key: ${R}`],
  // Command lines.
  ['dbt-snowflake --password hunter2 --user etl', `dbt-snowflake --password ${R} --user etl`],
  ['pg_dump --password=hunter2 analytics', `pg_dump --password=${R} analytics`],
  ['loader --db-password "s3 cret" --verbose', `loader --db-password "${R}" --verbose`],
  ['run: mysql -h db -u etl -pSecret analytics', `run: mysql -h db -u etl -p${R} analytics`],
  ["mysqldump -uroot -p'Sup3r' shop > dump.sql", `mysqldump -uroot -p${R} shop > dump.sql`],
  // SQL.
  ["CREATE USER etl IDENTIFIED BY 'Pa55word'", `CREATE USER etl IDENTIFIED BY '${R}'`],
  ["CREATE USER 'etl'@'%' IDENTIFIED WITH mysql_native_password BY 'x'", `CREATE USER 'etl'@'%' IDENTIFIED WITH mysql_native_password BY '${R}'`],
  ['ALTER USER scott IDENTIFIED BY tiger;', `ALTER USER scott IDENTIFIED BY ${R};`],
  ["ALTER ROLE loader WITH PASSWORD 'n3w-pa55'", `ALTER ROLE loader WITH PASSWORD '${R}'`],
  ["CREATE ROLE etl WITH LOGIN ENCRYPTED PASSWORD 'md5abc'", `CREATE ROLE etl WITH LOGIN ENCRYPTED PASSWORD '${R}'`],
  // Azure.
  [
    'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=Zm9vYmFy+/Zm9v==;EndpointSuffix=core.windows.net',
    `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${R};EndpointSuffix=core.windows.net`,
  ],
  [
    'GET https://acme.blob.core.windows.net/raw/f.csv?sv=2022-11-02&ss=b&sp=r&se=2026-03-01T00:00:00Z&sig=AbC%2Bdef%3D failed',
    `GET https://acme.blob.core.windows.net/raw/f.csv?sv=2022-11-02&ss=b&sp=r&se=2026-03-01T00:00:00Z&sig=${R} failed`,
  ],
  [
    'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=etl;SharedAccessKey=abc123=',
    `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=etl;SharedAccessKey=${R}`,
  ],
  // HTTP headers.
  ['Cookie: session=abc123; theme=dark', `Cookie: session=${R}; theme=${R}`],
  ['Set-Cookie: sid=31d4d96e407aad42; Path=/; Secure; HttpOnly', `Set-Cookie: sid=${R}; Path=/; Secure; HttpOnly`],
  ['{"cookie": "AWSALB=xyz; JSESSIONID=abc"}', `{"cookie": "AWSALB=${R}; JSESSIONID=${R}"}`],
  ['{"headers": {"Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}}', `{"headers": {"Authorization": "Basic ${R}"}}`],
  // Vendor tokens.
  ['cloning with glpat-Ab12Cd34Ef56Gh78Ij90', `cloning with ${R}`],
  ['socket mode xapp-1-A0123456789-1234567890123-abcdef0123456789 rejected', `socket mode ${R} rejected`],
  ['refresh xoxe-1-My0xLTIzNDU2Nzg5MC0x', `refresh ${R}`],
  ['posting to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', `posting to https://hooks.slack.com/services/${R}`],
  ['webhook secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `webhook secret ${R}`],
  ['OPENAI sk-proj-abc123DEF456ghi789JKL0mno', `OPENAI ${R}`],
  ['anthropic key sk-ant-api03-AbCdEf123456-ghIJkl789012_mnOPqr-AA was revoked', `anthropic key ${R} was revoked`],
  ['legacy sk-Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0n', `legacy ${R}`],
  ['databricks dapi6236049942823905962146a658e355ac-2 expired', `databricks ${R} expired`],
  ['publish with npm_PayehE3paARxIejSCG6iqYLLcw3W4x2DBt5i', `publish with ${R}`],
  ['twine pypi-AgEIcHlwaS5vcmcCJDU1ZjM0ZWY3LTQ2ZjktNGQ3Mi1hZmE3LWQ0YjBhNmZkYjE0NgACKlszLCJhYmMiXQ', `twine ${R}`],
  ['SendGrid 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', `SendGrid ${R}`],
  ['google ya29.a0AfB_byC1234567890abcdefghijklmnop expired', `google ${R} expired`],
  [
    'signing key:\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF1pZ4oBCAC\n=ABCD\n-----END PGP PRIVATE KEY BLOCK-----\nimported',
    `signing key:\n${R} PRIVATE KEY\nimported`,
  ],
  ['-----BEGIN ENCRYPTED PRIVATE KEY-----\\nMIIFHzBJBgkqhkiG9w0BBQ0w\\n-----END ENCRYPTED PRIVATE KEY-----\\n', `${R} PRIVATE KEY\\n`],
  ['jwt in a dashed run token-eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dozjgNryP4J3jVmNHl0w5N ok', `jwt in a dashed run token-${R} ok`],
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
  'password reset email sent',
  'token count 42',
  'installed scikit-learn (sk-learn) 1.5.0',
  'model sk-learn-pipeline-v2-experiment-final trained',
  'skip-grams model trained',
  'CREATE TABLE users (id BIGINT, password_hash VARCHAR(255), api_token_id INT)',
  'psql -h db -p 5432 -U etl analytics',
  'mysql -h db -P 3306 -u etl -p analytics',
  'gcc -pthread -O2 -pipe main.c',
  'Done. PASS=12 WARN=0 ERROR=0 SKIP=1 TOTAL=13',
  'token_type=bearer expires_in=3600',
  'secretName: warehouse-creds mounted',
  'password_expires_at=2026-03-01',
  'Set-Cookie header missing from response',
  'signature verified for release v1.2.3',
  'Authorization failed for user etl',
  'https://hooks.example.com/services/abc',
  'config_sig=2 passes=3',
  'loaded 1,024 rows from s3://bucket/key?versionId=3',
  'DDL: ALTER TABLE accounts ADD COLUMN password_salt TEXT',
  'stg_orders__paid passed: 0 failures, eyJ is not a token',
  'SELECT count(*) FROM a.b.c WHERE d.e = f.g',
  `base64 of plain text, ${Buffer.from('x'.repeat(200)).toString('base64')}`,
];

describe('scrub', () => {
  it('holds at least 120 cases', () => {
    expect(MUST_SCRUB.length + MUST_KEEP.length).toBeGreaterThanOrEqual(120);
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

describe('base64Markers', () => {
  it('finds a word in a blob at every byte alignment', () => {
    for (const lead of ['', 'a', 'ab', 'abc']) {
      const blob = Buffer.from(`${lead}{"type": "service_account"}`).toString('base64');
      expect(base64Markers('service_account').some((marker) => blob.includes(marker))).toBe(true);
    }
  });
});
