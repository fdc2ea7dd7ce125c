import { Injectable } from '@nestjs/common';
import { ApiTokenRow, ClickHouseStore, findApiToken, findApiTokenByHash, insertApiTokens, listApiTokens, toChDateTime } from '@runstream/clickhouse';
import { Caller, TokenKind } from '@runstream/http';
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'rst_';
/** Verified tokens are trusted this long before being looked up again (bounds revocation delay). */
const CACHE_TTL_MS = 5_000;
const MAX_CACHED = 10_000;

export interface CreatedToken {
  id: string;
  token: string;
  orgId: string;
  kind: TokenKind;
  gateway: string;
  name: string;
}

export interface CreateTokenInput {
  orgId: string;
  name: string;
  kind: TokenKind;
  gateway?: string;
}

/**
 * Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely (no salt or
 * slow hash needed: there is no small space to brute-force).
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class TokenService {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(private readonly store: ClickHouseStore) {}

  async create(input: CreateTokenInput): Promise<CreatedToken> {
    if (input.kind === 'gateway' && !input.gateway) throw new Error('a gateway token needs a gateway name');
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = `tok_${randomBytes(8).toString('hex')}`;
    const now = Date.now();
    await insertApiTokens(this.store, [
      {
        id,
        org_id: input.orgId,
        kind: input.kind,
        gateway: input.kind === 'gateway' ? (input.gateway ?? '') : '',
        name: input.name,
        token_hash: hashToken(token),
        created_at: toChDateTime(now),
        revoked_at: null,
        version: now,
      },
    ]);
    return { id, token, orgId: input.orgId, kind: input.kind, gateway: input.gateway ?? '', name: input.name };
  }

  /** Revokes by id; true when the token existed and was active. */
  async revoke(id: string): Promise<boolean> {
    const row = await findApiToken(this.store, id);
    if (!row || row.revoked_at !== null) return false;
    const now = Date.now();
    await insertApiTokens(this.store, [{ ...row, revoked_at: toChDateTime(now), version: Math.max(now, Number(row.version) + 1) }]);
    return true;
  }

  list(orgId?: string): Promise<ApiTokenRow[]> {
    return listApiTokens(this.store, orgId);
  }

  async verify(token: string): Promise<Caller | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.caller;
    const row = await findApiTokenByHash(this.store, hash);
    if (!row) {
      this.cache.delete(hash);
      return undefined;
    }
    const caller: Caller = { orgId: row.org_id, tokenId: row.id, kind: row.kind, gateway: row.gateway };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(hash, { caller, until: Date.now() + CACHE_TTL_MS });
    return caller;
  }
}
