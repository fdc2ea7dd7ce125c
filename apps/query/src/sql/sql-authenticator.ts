import { Injectable, Optional } from '@nestjs/common';
import { TokenService } from '@runstream/auth';
import { RequestRateLimiter } from '@runstream/http';
import { SqlCredentials } from './sql-credentials';
import { accessDenied, authenticationFailed } from './sql-error';

/**
 * The organisation a BI connection's API token stands for (the tokens of the read API), under
 * the read API's rate limits: a valid token spends from its own budget, a failed attempt from
 * its client IP's, and an IP out of budget is refused before its token is looked up (429).
 */
@Injectable()
export class SqlAuthenticator {
  constructor(
    private readonly tokens: TokenService,
    @Optional() private readonly limiter?: RequestRateLimiter,
  ) {}

  async organisationOf(credentials: SqlCredentials, ip: string): Promise<string> {
    const caller = await this.tokens.verify(credentials.token, () => this.limiter?.assertFailedAuthBudget(ip));
    if (!caller) this.refuse(ip, `${credentials.user ?? 'token'}: invalid or revoked API token`);
    if (credentials.user !== undefined && credentials.user !== '' && credentials.user !== caller.orgId) {
      this.refuse(ip, `${credentials.user}: the user must be the organisation of the token`);
    }
    this.limiter?.chargeToken(caller.tokenId);
    if (caller.kind !== 'user') throw accessDenied('BI access needs a user token, not a gateway token');
    return caller.orgId;
  }

  private refuse(ip: string, message: string): never {
    this.limiter?.chargeFailedAuth(ip);
    throw authenticationFailed(message);
  }
}
