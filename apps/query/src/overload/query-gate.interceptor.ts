import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Caller, PUBLIC_ROUTE } from '@runstream/http';
import { from, lastValueFrom, Observable } from 'rxjs';
import { QueryGate } from './query-gate';

/** Runs every authenticated route's handler through the QueryGate, as its caller's organisation; public routes (health, docs) skip it. */
@Injectable()
export class QueryGateInterceptor implements NestInterceptor {
  constructor(
    private readonly gate: QueryGate,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return next.handle();
    const { caller } = context.switchToHttp().getRequest<{ caller?: Caller }>();
    return from(this.gate.run(caller?.orgId ?? '', () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
