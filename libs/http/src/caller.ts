import { createParamDecorator, ExecutionContext, SetMetadata, UnauthorizedException } from '@nestjs/common';

export type TokenKind = 'user' | 'gateway';

/** Who is making a request: the organisation it acts for and the token it used. */
export interface Caller {
  orgId: string;
  tokenId: string;
  kind: TokenKind;
  /** The gateway a gateway token belongs to; empty for user tokens. */
  gateway: string;
}

/** The caller the auth guard attached; a route without one is a programming error, answered 401. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<{ caller?: Caller }>();
  if (!request.caller) throw new UnauthorizedException('authentication required');
  return request.caller;
});

const BEARER = /^Bearer\s+(\S+)$/i;

/** The token of an `Authorization: Bearer <token>` header as sent, or undefined for any other header or none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? '')?.[1];
}

export const PUBLIC_ROUTE = 'runstream:public';
/** No authentication (health checks only). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
