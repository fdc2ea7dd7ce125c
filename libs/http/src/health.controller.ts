import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from './caller';

/** A dependency the app cannot serve without; check() rejects while it is unusable. */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<unknown>;
}

/** Provide the app's ReadinessProbe[] under this token; the app module must import TerminusModule. */
export const READINESS_PROBES = Symbol('READINESS_PROBES');

/** One slow dependency must not hold the probe past the kubelet's own timeout. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * GET /health: liveness, the process answers (no dependency is checked: restarting the app
 * would not bring Kafka or ClickHouse back). GET /health/ready: readiness (@nestjs/terminus),
 * 200 when every dependency answered within 2 s, else 503 naming the one that did not, so a
 * load balancer stops sending traffic the app would refuse anyway.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe[] = [],
  ) {}

  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.checks.check(this.probes.map((probe) => () => this.checked(probe)));
  }

  private async checked(probe: ReadinessProbe) {
    const indicator = this.indicators.check(probe.name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)),
    );
    try {
      await Promise.race([probe.check(), timeout]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
