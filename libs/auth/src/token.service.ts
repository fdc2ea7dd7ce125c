import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ApiTokenRow, ClickHouseStore, findApiToken, findApiTokenByHash, insertApiTokens, listApiTokens, toChDateTime } from '@runstream/clickhouse';
import { Caller, serviceUnavailable, TokenKind } from '@runstream/http';
import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_TOKEN_CACHE, TokenCache, TokenCacheOptions } from './token-cache';

const TOKEN_PREFIX = 'rst_';
/** What create() makes: the prefix and 32 random bytes in base64url (43 characters). */
const TOKEN_PATTERN = /^rst_[A-Za-z0-9_-]{43}$/;
/** Seconds a client waits when tokens cannot be checked (the store is unavailable). */
const LOOKUP_FAILED_RETRY_AFTER_SECONDS = 5;

/** Overrides the token cache's timings (tests); optional. */
export const TOKEN_CACHE_OPTIONS = Symbol('TOKEN_CACHE_OPTIONS');

/** Whether a string has the shape of a token this service issues; anything else is refused without a lookup. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

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
  private readonly cache: TokenCache;
  private readonly logger = new Logger('TokenService');

  constructor(
    private readonly store: ClickHouseStore,
    @Optional() @Inject(TOKEN_CACHE_OPTIONS) cacheOptions?: Partial<TokenCacheOptions>,
  ) {
    this.cache = new TokenCache((hash) => this.lookup(hash), { ...DEFAULT_TOKEN_CACHE, ...cacheOptions });
  }

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
    await insertApiTokens(this.store, [{ ...row, revoked_at: toChDateTime(now), version: Math.max(now, row.version + 1) }]);
    this.cache.forget(row.token_hash);
    return true;
  }

  list(orgId?: string): Promise<ApiTokenRow[]> {
    return listApiTokens(this.store, orgId);
  }

  /**
   * The caller a token stands for, or undefined when it is malformed, unknown or revoked.
   * Known tokens come from the cache (see TokenCache for how stale they may be); only a miss
   * waits for ClickHouse, and `beforeLookup` runs first (the guard refuses exhausted IPs there).
   * A failed lookup is a 503 with Retry-After.
   */
  async verify(token: string, beforeLookup?: () => void): Promise<Caller | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    return this.cache.get(hashToken(token), beforeLookup);
  }

  private async lookup(hash: string): Promise<Caller | undefined> {
    let row: ApiTokenRow | undefined;
    try {
      row = await findApiTokenByHash(this.store, hash);
    } catch (error) {
      this.logger.warn(`token lookup failed: ${String(error)}`);
      throw serviceUnavailable('tokens cannot be checked right now; retry later', LOOKUP_FAILED_RETRY_AFTER_SECONDS);
    }
    return row ? { orgId: row.org_id, tokenId: row.id, kind: row.kind, gateway: row.gateway } : undefined;
  }
}
