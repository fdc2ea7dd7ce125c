import { Injectable } from '@nestjs/common';
import { TokenService } from '@runstream/auth';
import { SqlCredentials } from './sql-credentials';
import { accessDenied, authenticationFailed } from './sql-error';

/** The organisation a BI connection's API token stands for (the tokens of the read API). */
@Injectable()
export class SqlAuthenticator {
  constructor(private readonly tokens: TokenService) {}

  async organisationOf(credentials: SqlCredentials): Promise<string> {
    const caller = await this.tokens.verify(credentials.token);
    if (!caller) throw authenticationFailed(`${credentials.user ?? 'token'}: invalid or revoked API token`);
    if (caller.kind !== 'user') throw accessDenied('BI access needs a user token, not a gateway token');
    if (credentials.user !== undefined && credentials.user !== '' && credentials.user !== caller.orgId) {
      throw authenticationFailed(`${credentials.user}: the user must be the organisation of the token`);
    }
    return caller.orgId;
  }
}
