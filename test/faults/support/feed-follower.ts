import { setTimeout as sleep } from 'node:timers/promises';
import { Change, Runstream } from '@runstream/sdk';

/** The fields of an entity's state that the feed and the list endpoints both serve. */
export interface EntityState {
  id: string;
  status: string;
  updated_at: string;
  model_name?: string;
}

/** `run/<id>` or `model_execution/<id>`: how the feed, the lists and the ledger name an entity. */
export function entityKey(type: string, id: string): string {
  return `${type}/${id}`;
}

export function pickState(entity: EntityState): EntityState {
  return { id: entity.id, status: entity.status, updated_at: entity.updated_at, model_name: entity.model_name };
}

export interface Delivery {
  key: string;
  /** `partition:offset` of the event that produced the state. */
  position: string;
  /** The delivered state as JSON, to tell a repeated state from a new one. */
  state: string;
}

export interface FollowerOptions {
  queryUrl: string;
  token: string;
  projectId: string;
  /** Changes per page: small, so one event's changes straddle page ends. */
  limit: number;
  /** The wait once caught up, before asking again. */
  idleMs: number;
}

/**
 * An exporter as the SDK's README describes it: follows the project's change feed from the start
 * with `Runstream.changes()`, applies each page, then stores its cursor. When the read API is
 * unreachable (the stack process killed and restarting), the SDK's retries run out and the
 * follower resumes from the stored cursor after a pause: the feed owes it every change once.
 */
export class FeedFollower {
  readonly deliveries: Delivery[] = [];
  /** Latest state per entity key. */
  readonly latest = new Map<string, EntityState>();
  /** Passes that read the feed to its end (`has_more: false`). */
  caughtUpPasses = 0;
  /** Passes cut short by an error, by error name (`TypeError`, `UnavailableError`, `GoneError`, …). */
  readonly failures: Record<string, number> = {};
  private cursor: string | undefined;
  private stopping = false;
  private abandoned = false;
  private readonly client: Runstream;

  constructor(private readonly options: FollowerOptions) {
    // Few, short retries inside the SDK: the follower's own loop is the patience across a restart.
    this.client = new Runstream({ queryUrl: options.queryUrl, token: options.token, maxAttempts: 3, backoffMs: 200 });
  }

  /** Follows until stop() (then one more pass to the end of the feed) or abandon(). */
  async run(): Promise<void> {
    while (!this.abandoned) {
      const last = this.stopping;
      try {
        await this.pass();
        this.caughtUpPasses += 1;
        if (last) return;
      } catch (error) {
        const name = (error as Error).name ?? 'Error';
        this.failures[name] = (this.failures[name] ?? 0) + 1;
        // A cursor the server cannot honour is a failure of the guarantee, not a pause to wait out.
        if (name === 'GoneError') throw error;
      }
      await sleep(this.options.idleMs);
    }
  }

  /** Ends run() after one more complete pass begun from now. */
  stop(): void {
    this.stopping = true;
  }

  /** Ends run() at once (a failed test's cleanup, with the server maybe gone). */
  abandon(): void {
    this.abandoned = true;
  }

  /** Resolves after `passes` more complete passes (each ends caught up with what was materialized when it began). */
  async caughtUp(passes = 2, timeoutMs = 60_000): Promise<void> {
    const target = this.caughtUpPasses + passes;
    const giveUpAt = Date.now() + timeoutMs;
    while (this.caughtUpPasses < target) {
      if (Date.now() > giveUpAt) throw new Error(`feed follower not caught up after ${timeoutMs} ms (failures ${JSON.stringify(this.failures)})`);
      await sleep(50);
    }
  }

  private async pass(): Promise<void> {
    const pages = this.client.changes({ projectId: this.options.projectId, cursor: this.cursor, limit: this.options.limit, follow: false });
    for await (const page of pages) {
      for (const change of page.changes) this.apply(change);
      // Stored only once the page's changes are applied, as the SDK's contract asks.
      this.cursor = page.cursor;
    }
  }

  private apply(change: Change): void {
    const entity = (change.type === 'run' ? change.run : change.model_execution) as EntityState;
    const key = entityKey(change.type, entity.id);
    this.deliveries.push({ key, position: change.log_position, state: JSON.stringify(entity) });
    this.latest.set(key, pickState(entity));
  }
}
