import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** Who is making a request: the organisation it acts for and the token it used. */
export interface Caller {
  orgId: string;
  tokenId: string;
}

/**
 * Until API tokens land (issue 3), every request acts for this one local organisation.
 * The routes already take the caller as a parameter, so the auth guard only has to set it.
 */
export const LOCAL_CALLER: Caller = { orgId: 'default', tokenId: 'local' };

export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<{ caller?: Caller }>();
  return request.caller ?? LOCAL_CALLER;
});
