import { CallHandler, CanActivate, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { BodyShapeLimits, DEFAULT_BODY_SHAPE, requestBodyProblem } from './body-shape';
import { badRequest } from './errors/fastify-errors';

/** Throws the 400 for a body no write takes (see BodyShapeInterceptor); bodyless requests pass. */
function assertBodyShape(body: unknown, limits: BodyShapeLimits): void {
  const problem = requestBodyProblem(body, limits);
  if (problem) throw badRequest(problem.field, problem.reason);
}

/**
 * Refuses bodies no write takes before anything walks them recursively: a body that is not
 * a JSON object, nesting deeper than any write has (the validation pipe, class-transformer
 * and the idempotency fingerprint recurse; 10 KB of brackets would exhaust the stack), or a
 * reserved key.
 */
@Injectable()
export class BodyShapeInterceptor implements NestInterceptor {
  constructor(private readonly limits: BodyShapeLimits = DEFAULT_BODY_SHAPE) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    assertBodyShape(context.switchToHttp().getRequest<{ body?: unknown }>().body, this.limits);
    return next.handle();
  }
}

/**
 * The same check as a guard, for hot routes: after authentication (global guards run first),
 * before the pipes. Any interceptor costs each request rxjs and Nest's AsyncResource.bind
 * (with Node's deprecation wrapper), which a guard does not.
 */
@Injectable()
export class BodyShapeGuard implements CanActivate {
  constructor(private readonly limits: BodyShapeLimits = DEFAULT_BODY_SHAPE) {}

  canActivate(context: ExecutionContext): boolean {
    assertBodyShape(context.switchToHttp().getRequest<{ body?: unknown }>().body, this.limits);
    return true;
  }
}
