import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';

export const API_TOKENS_TABLE = 'api_tokens';

/** A row of `api_tokens` (migration 0004). */
export const ApiTokenRowSchema = z.object({
  id: column.text,
  org_id: column.text,
  kind: z.enum(['user', 'gateway']),
  gateway: column.text,
  name: column.text,
  token_hash: column.text,
  created_at: column.dateTime,
  revoked_at: column.dateTime.nullable(),
  version: column.count,
});
export type ApiTokenRow = z.infer<typeof ApiTokenRowSchema>;

export function insertApiTokens(store: ClickHouseStore, rows: readonly ApiTokenRow[]): Promise<void> {
  return store.insert(API_TOKENS_TABLE, rows);
}

export async function findApiTokenByHash(store: ClickHouseStore, tokenHash: string): Promise<ApiTokenRow | undefined> {
  const rows = await store.query(
    ApiTokenRowSchema,
    'SELECT * FROM {db:Identifier}.api_tokens FINAL WHERE token_hash = {hash:String} AND revoked_at IS NULL LIMIT 1',
    { hash: tokenHash },
  );
  return rows[0];
}

export async function findApiToken(store: ClickHouseStore, id: string): Promise<ApiTokenRow | undefined> {
  const rows = await store.query(ApiTokenRowSchema, 'SELECT * FROM {db:Identifier}.api_tokens FINAL WHERE id = {id:String}', { id });
  return rows[0];
}

export function listApiTokens(store: ClickHouseStore, orgId?: string): Promise<ApiTokenRow[]> {
  return store.query(
    ApiTokenRowSchema,
    `SELECT * FROM {db:Identifier}.api_tokens FINAL
     WHERE {org:String} = '' OR org_id = {org:String} ORDER BY org_id, created_at`,
    { org: orgId ?? '' },
  );
}
