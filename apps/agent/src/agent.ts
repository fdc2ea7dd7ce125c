import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AgentConfig } from './config';
import { ExecutorLogger, IngestClient, IngestUnavailableError, ListedRun, RunTask } from '@runstream/executor';

export interface RunningAgent {
  /** Stops polling, SIGTERMs running programs, reports their runs `cancelled`, flushes; resolves when all runs are reported. */
  stop(): Promise<void>;
  /** SIGKILLs every running program's process group at once, reporting nothing (the lease sweeper ends their runs). */
  kill(): void;
}

export interface AgentOptions {
  logger?: ExecutorLogger;
  /** The environment children inherit from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** How long a claim is retried (same claimId) to learn whether it won, unless AGENT_CLAIM_RETRY_MS says. */
const CLAIM_RETRY_MS = 60_000;
/** Run ids this agent claimed or lost recently: a poll may list them until the read model catches up. */
const RECENT_IDS = 2_000;
/**
 * How long a claim whose outcome is still unknown after CLAIM_RETRY_MS (ingest answered 503 "not
 * decided yet" throughout: the materializer was stalled) is asked again, once per poll, with the
 * same claimId: it may have won, and a won run nobody runs would be ended `error` by the sweeper.
 */
const UNDECIDED_CLAIM_MS = 15 * 60_000;

/**
 * The runner agent: polls ingest for pending runs of its gateway while it has free slots
 * (AGENT_CONCURRENCY), claims each with a claimId of its own (retried with the same id after a
 * network error or 503, so it learns whether it won), and runs the winners as RunTasks.
 */
export function startAgent(config: AgentConfig, options: AgentOptions = {}): RunningAgent {
  const logger = options.logger ?? new Logger('agent');
  const client = new IngestClient(config.ingestUrl, config.gatewayToken, (status, waitMs) =>
    logger.warn(`ingest answered ${status}: pausing requests for ${Math.ceil(waitMs / 1000)} s (Retry-After)`),
  );
  const agentId = randomUUID();
  const active = new Map<string, RunTask>();
  const recent = new Set<string>();
  const undecided = new Map<string, { run: ListedRun; claimId: string; since: number }>();
  let stopping = false;
  let stopDeadline = Infinity;
  // A run that ends while a poll is under way must not wait a whole interval for the next one.
  let wakeRequested = false;
  let resumePause: () => void = () => undefined;
  const wakeUp = (): void => {
    wakeRequested = true;
    resumePause();
  };
  let reachable = true;

  function remember(id: string): void {
    recent.add(id);
    if (recent.size > RECENT_IDS) recent.delete(recent.values().next().value as string);
  }

  function pause(ms: number): Promise<void> {
    if (wakeRequested) {
      wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeRequested = false;
        resumePause = () => undefined;
        resolve();
      }
      resumePause = done;
    });
  }

  async function claim(run: ListedRun, claimId: string = randomUUID()): Promise<boolean> {
    const started = Date.now();
    remember(run.id);
    try {
      const answer = await client.request<{ message?: string }>(
        'POST',
        `/api/agent/runs/${encodeURIComponent(run.id)}/claim`,
        { claimId },
        {
          idempotencyKey: claimId,
          deadline: () => Math.min(started + (config.claimRetryMs ?? CLAIM_RETRY_MS), stopDeadline),
        },
      );
      undecided.delete(run.id);
      if (answer.status === 200) return true;
      if (answer.status !== 409 && answer.status !== 404) logger.warn(`run ${run.id}: claim answered ${answer.status} ${answer.body?.message ?? ''}`);
    } catch (error) {
      if (!(error instanceof IngestUnavailableError)) throw error;
      const since = undecided.get(run.id)?.since ?? started;
      if (Date.now() - since < UNDECIDED_CLAIM_MS) {
        if (!undecided.has(run.id)) logger.warn(`run ${run.id}: claim outcome unknown (${error.last}); asking again each poll`);
        undecided.set(run.id, { run, claimId, since });
      } else {
        undecided.delete(run.id);
        logger.warn(`run ${run.id}: claim outcome still unknown after ${UNDECIDED_CLAIM_MS / 60_000} min; if it won, the lease sweeper ends the run`);
      }
    }
    return false;
  }

  function execute(run: ListedRun): void {
    const task = new RunTask(run, client, { config, executorId: agentId, logger, env: options.env ?? process.env, finalDeadline: () => stopDeadline });
    if (stopping) task.stop('agent stopped');
    active.set(run.id, task);
    void task
      .run()
      .catch((error: unknown) => logger.error(`run ${run.id}: ${error instanceof Error ? error.stack : String(error)}`))
      .finally(() => {
        active.delete(run.id);
        wakeUp();
      });
  }

  async function pollOnce(): Promise<void> {
    const free = config.concurrency - active.size;
    if (free <= 0) return;
    // No retries here: the next poll is the retry.
    const answer = await client.request<{ runs?: ListedRun[]; message?: string }>('GET', `/api/agent/runs?limit=${Math.min(100, free + 10)}`, undefined, {
      deadline: () => 0,
    });
    if (answer.status !== 200) throw new IngestUnavailableError(`${answer.status} ${answer.body?.message ?? ''}`);
    if (!reachable) logger.log(`ingest at ${config.ingestUrl} answers again`);
    reachable = true;
    // Claims still undecided first, with their own claimId: one of them may have won already.
    for (const { run, claimId } of [...undecided.values()]) {
      if (stopping || active.size >= config.concurrency) break;
      if (await claim(run, claimId)) execute(run);
    }
    for (const run of answer.body.runs ?? []) {
      if (stopping || active.size >= config.concurrency) break;
      if (recent.has(run.id) || active.has(run.id)) continue;
      if (await claim(run)) execute(run);
    }
  }

  async function loop(): Promise<void> {
    logger.log(`agent ${agentId} polling ${config.ingestUrl} (concurrency ${config.concurrency})`);
    while (!stopping) {
      try {
        await pollOnce();
      } catch (error) {
        // Logged once per outage, not every poll.
        if (reachable) logger.warn(`cannot poll ${config.ingestUrl}: ${error instanceof IngestUnavailableError ? error.last : String(error)}`);
        reachable = false;
      }
      if (!stopping) await pause(config.pollIntervalMs);
    }
  }

  const looping = loop();
  let stopped: Promise<void> | undefined;
  return {
    stop(): Promise<void> {
      stopped ??= (async () => {
        stopping = true;
        stopDeadline = Date.now() + config.shutdownReportMs;
        wakeUp();
        for (const task of active.values()) task.stop('agent stopped');
        await looping;
        // A claim won during the last poll started a task that is already told to stop.
        while (active.size > 0) await Promise.all([...active.values()].map((task) => task.finished));
        logger.log(`agent ${agentId} stopped`);
      })();
      return stopped;
    },
    kill(): void {
      for (const task of active.values()) task.kill();
    },
  };
}
