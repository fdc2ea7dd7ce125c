import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Optional, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { bearerToken, Caller, PUBLIC_ROUTE, requestCost, RequestRateLimiter, TokenKind } from '@runstream/http';
import { TokenService } from './token.service';

const TOKEN_KINDS = 'runstream:token-kinds';

/** Which token kinds a controller or route accepts (default: user tokens). */
export const AcceptTokens = (...kinds: TokenKind[]) => SetMetadata(TOKEN_KINDS, kinds);

interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  /** The connection's own address: the forwarding peer when `ip` came from X-Forwarded-For. */
  socket?: { remoteAddress?: string };
  body?: unknown;
  caller?: Caller;
}

function header(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Authorization: Bearer <token>` on every route but @Public ones. A missing or unknown
 * token is 401; a valid token of the wrong kind is 403. When `X-Organization-ID` is sent it
 * must name the token's organisation (403 otherwise).
 *
 * Rate limits apply here, once the caller is known: a request with a valid token spends from
 * that token's budget, a failed authentication from its client IP's; either answers 429 with
 * Retry-After when spent. An IP out of budget is refused before its token is looked up.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
    @Optional() private readonly limiter?: RequestRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const ip = request.ip ?? '';
    const peer = request.socket?.remoteAddress;
    const token = bearerToken(header(request, 'authorization'));
    if (token === undefined) this.refuse(ip, peer, 'missing bearer token (Authorization: Bearer <token>)');
    const caller = await this.tokens.verify(token, () => this.limiter?.assertFailedAuthBudget(ip, peer));
    if (!caller) this.refuse(ip, peer, 'invalid or revoked token');
    this.limiter?.chargeToken(caller.tokenId, requestCost(request.body));
    this.limiter?.rememberAuthenticated(token);
    const kinds = this.reflector.getAllAndOverride<TokenKind[]>(TOKEN_KINDS, targets) ?? ['user'];
    if (!kinds.includes(caller.kind)) throw new ForbiddenException(`this route needs a ${kinds.join(' or ')} token`);
    const organization = header(request, 'x-organization-id');
    if (organization !== undefined && organization !== caller.orgId) {
      throw new ForbiddenException('X-Organization-ID does not match the token');
    }
    request.caller = caller;
    return true;
  }

  /** 401, or 429 once the client IP has failed too often. */
  private refuse(ip: string, peer: string | undefined, message: string): never {
    this.limiter?.chargeFailedAuth(ip, peer);
    throw new UnauthorizedException(message);
  }
}
