-- api_tokens: API tokens, stored as SHA-256 of the token (the token itself is shown once, at
-- creation). kind 'user' acts for the organisation; kind 'gateway' also names its gateway.
-- A revocation writes the row again with revoked_at set and a higher version. Read with FINAL.
CREATE TABLE IF NOT EXISTS {db:Identifier}.api_tokens
(
    id          String,
    org_id      LowCardinality(String),
    kind        LowCardinality(String),
    gateway     String,
    name        String,
    token_hash  String,
    created_at  DateTime64(3, 'UTC'),
    revoked_at  Nullable(DateTime64(3, 'UTC')),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
