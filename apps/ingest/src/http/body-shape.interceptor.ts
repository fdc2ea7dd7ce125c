import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { MAX_TELEMETRY_SAMPLES } from '@runstream/events';
import { Observable } from 'rxjs';

/** No write body nests deeper than logEntries[i].at (3); room for clients' mistakes to be named. */
export const MAX_BODY_DEPTH = 8;
/** The longest array any write takes (telemetrySamples); longer ones are refused unread. */
export const MAX_BODY_ARRAY_ITEMS = MAX_TELEMETRY_SAMPLES;
/** The most keys any object of a write has (a telemetrySummary); more are refused unread. */
export const MAX_BODY_OBJECT_KEYS = 64;
/**
 * Keys that mean something to JavaScript objects. Nest's validation pipe would silently delete
 * them (and the event schema refuses them), so a client is told instead of losing data.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface ShapeProblem {
  field: string;
  reason: string;
}

/** The first place a JSON body nests too deeply or holds a reserved key, or undefined. */
export function bodyShapeProblem(value: unknown, maxDepth = MAX_BODY_DEPTH, path = '', depth = 0): ShapeProblem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= maxDepth) return { field: path, reason: `nests deeper than ${maxDepth} levels` };
  // Sizes first: validation builds an error per item, so 500k items would hold the event loop for seconds.
  if (Array.isArray(value)) {
    if (value.length > MAX_BODY_ARRAY_ITEMS) return { field: path || 'body', reason: `must hold at most ${MAX_BODY_ARRAY_ITEMS} items` };
  } else if (Object.keys(value).length > MAX_BODY_OBJECT_KEYS) {
    return { field: path || 'body', reason: `must have at most ${MAX_BODY_OBJECT_KEYS} keys` };
  }
  for (const [key, item] of Object.entries(value)) {
    const field = path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return { field, reason: `${JSON.stringify(key)} is a reserved name` };
    const found = bodyShapeProblem(item, maxDepth, field, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function badRequest({ field, reason }: ShapeProblem): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `${field}: ${reason}`, errors: [{ field, reasons: [reason] }] });
}

/**
 * Refuses bodies no write takes before anything walks them recursively: a body that is not
 * a JSON object, nesting deeper than any write has (the validation pipe, class-transformer
 * and the idempotency fingerprint recurse; 10 KB of brackets would exhaust the stack), or a
 * reserved key.
 */
@Injectable()
export class BodyShapeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { body } = context.switchToHttp().getRequest<{ body?: unknown }>();
    if (body !== undefined && body !== null) {
      if (typeof body !== 'object' || Array.isArray(body)) throw badRequest({ field: 'body', reason: 'must be a JSON object' });
      const problem = bodyShapeProblem(body);
      if (problem) throw badRequest(problem);
    }
    return next.handle();
  }
}
