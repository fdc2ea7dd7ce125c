import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ClaimedRunLease, ClickHouseStore, listExpiredLeases, toChDateTime } from '@runstream/clickhouse';
import { validateEvent } from '@runstream/events';
import { Admin } from 'kafkajs';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';
import { ControlEventLog } from '../events/control-event-log';
import { leaseExpiredEvent } from './lease-expiry';
import { MaterializedUpTo } from './materialized-up-to';
import { LeaseSweeperConfig } from './scheduler.env';
import { CONTROL_PLANE_ACTOR, SCHEDULER_CLOCK } from './scheduler';
import { PeriodicTask } from '@runstream/runtime';

export const LEASE_SWEEPER_CONFIG = Symbol('LEASE_SWEEPER_CONFIG');

/** Runs ended per sweep at most; the rest wait for the next sweep. */
const MAX_PER_SWEEP = 500;

/**
 * Ends claimed runs whose agent stopped reporting (docs/scheduler.md, "Lease"): a run claimed
 * by a gateway, still pending or running, unchanged for CONTROL_RUN_LEASE_MS in a read model
 * known to be complete, gets a `run.patched` to `error` on runs.events.v1. Any number of control
 * instances may sweep: a second `error` for an ended run changes nothing.
 */
@Injectable()
export class LeaseSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LeaseSweeper');
  private readonly admin: Admin;
  private readonly upTo: MaterializedUpTo;
  /**
   * Runs this instance ended (the broker acknowledged the patch) that the read model does not
   * show ended yet: not ended again while the materializer catches up.
   */
  private readonly ended = new Set<string>();
  private readonly loop: PeriodicTask;
  private connected = false;

  constructor(
    @Inject(LEASE_SWEEPER_CONFIG) private readonly config: LeaseSweeperConfig,
    @Inject(CONTROL_CONFIG) control: ControlConfig,
    private readonly store: ClickHouseStore,
    private readonly log: ControlEventLog,
    @Optional() @Inject(SCHEDULER_CLOCK) private readonly clock: () => Date = () => new Date(),
  ) {
    this.admin = log.kafka.admin();
    this.upTo = new MaterializedUpTo(this.admin, control.kafka.topics.events, config.materializerGroupId);
    this.loop = new PeriodicTask(
      () => this.sweep(),
      () => config.sweepMs,
      (error) => this.logger.warn(`lease sweep failed: ${String(error)}`),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.enabled) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.connected) await this.admin.disconnect();
    this.connected = false;
  }

  /** One sweep: the ids of the runs it ended. */
  async sweep(): Promise<string[]> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    const now = this.clock();
    const complete = await this.upTo.sample(now);
    if (complete === null) return [];
    const before = new Date(Math.min(now.getTime(), complete.getTime()) - this.config.leaseMs);
    const expired = await listExpiredLeases(this.store, toChDateTime(before), MAX_PER_SWEEP);
    // A rebuild that began meanwhile may have shown this read half-empty tables: end nothing on it.
    if (!(await this.upTo.stillPassed())) return [];
    const listed = new Set(expired.map((run) => run.id));
    for (const id of this.ended) if (!listed.has(id)) this.ended.delete(id);
    const ended: string[] = [];
    for (const run of expired) {
      if (this.ended.has(run.id)) continue;
      if (await this.end(run, now)) ended.push(run.id);
    }
    return ended;
  }

  private async end(run: ClaimedRunLease, now: Date): Promise<boolean> {
    const event = leaseExpiredEvent(run, this.config.leaseMs, now, CONTROL_PLANE_ACTOR);
    const problem = validateEvent(event);
    if (problem) {
      this.logger.error(`run ${run.id}: lease expired but the event is invalid, not ending it: ${problem}`);
      return false;
    }
    try {
      await this.log.appendRunEvent(event);
      this.ended.add(run.id);
      this.logger.warn(`run ${run.id} (${run.status}, claimed by ${run.claimed_by}): no report since ${run.updated_at} UTC, ended error`);
      return true;
    } catch (error) {
      this.logger.warn(`run ${run.id}: lease expired, could not append its end (next sweep retries): ${String(error)}`);
      return false;
    }
  }
}
