import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE } from '@runstream/http';
import { from, lastValueFrom, Observable } from 'rxjs';
import { QueryGate } from './query-gate';

/** Runs every authenticated route's handler through the QueryGate; public routes (health, docs) skip it. */
@Injectable()
export class QueryGateInterceptor implements NestInterceptor {
  constructor(
    private readonly gate: QueryGate,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return next.handle();
    return from(this.gate.run(() => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
