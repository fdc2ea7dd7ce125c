import { BadRequestException, CallHandler, CanActivate, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';

/** The largest shape any body of an app takes; each app sets its own (ingest: 8 levels, 2,000 items, 64 keys). */
export interface BodyShapeLimits {
  maxDepth: number;
  maxArrayItems: number;
  maxObjectKeys: number;
}

/** No write body nests deeper than logEntries[i].at (3); room for clients' mistakes to be named. */
export const MAX_BODY_DEPTH = 8;
export const DEFAULT_BODY_SHAPE: BodyShapeLimits = { maxDepth: MAX_BODY_DEPTH, maxArrayItems: 2_000, maxObjectKeys: 64 };
/**
 * Keys that mean something to JavaScript objects. Nest's validation pipe would silently delete
 * them (and the event schema refuses them), so a client is told instead of losing data.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface ShapeProblem {
  field: string;
  reason: string;
}

/** The first place a JSON body nests too deeply, is too large or holds a reserved key, or undefined. */
export function bodyShapeProblem(value: unknown, limits: BodyShapeLimits = DEFAULT_BODY_SHAPE, path = '', depth = 0): ShapeProblem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= limits.maxDepth) return { field: path, reason: `nests deeper than ${limits.maxDepth} levels` };
  // Sizes first: validation builds an error per item, so 500k items would hold the event loop for seconds.
  if (Array.isArray(value)) {
    if (value.length > limits.maxArrayItems) return { field: path || 'body', reason: `must hold at most ${limits.maxArrayItems} items` };
  } else if (Object.keys(value).length > limits.maxObjectKeys) {
    return { field: path || 'body', reason: `must have at most ${limits.maxObjectKeys} keys` };
  }
  for (const [key, item] of Object.entries(value)) {
    const field = path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return { field, reason: `${JSON.stringify(key)} is a reserved name` };
    const found = bodyShapeProblem(item, limits, field, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function badRequest({ field, reason }: ShapeProblem): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `${field}: ${reason}`, errors: [{ field, reasons: [reason] }] });
}

/** Throws the 400 for a body no write takes (see BodyShapeInterceptor); bodyless requests pass. */
function assertBodyShape(body: unknown, limits: BodyShapeLimits): void {
  if (body === undefined || body === null) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest({ field: 'body', reason: 'must be a JSON object' });
  const problem = bodyShapeProblem(body, limits);
  if (problem) throw badRequest(problem);
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
