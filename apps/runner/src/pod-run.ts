import { randomUUID } from 'node:crypto';
import { IngestClient, IngestUnavailableError } from '@runstream/executor';
import type { RunnerConfig, ScheduledRun } from './runner.config';

/** How long the runner retries creating or claiming its run while ingest is unreachable or busy. */
export const REQUEST_RETRY_MS = 60_000;
/** How long a claim retries a 404: the run may not be materialized yet where the claim landed. */
const NOT_FOUND_RETRY_MS = 30_000;
const NOT_FOUND_PAUSE_MS = 500;
/** A pod that was told to stop ends with this (128 + SIGTERM, as a shell reports a process it ended). */
export const STOPPED_EXIT_CODE = 143;

/** The pod will not execute its program; `exitCode` is what the pod ends with. */
export class RunnerRefusal extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'RunnerRefusal';
  }
}

type Answer = { status: number; body?: { id?: string; message?: string; status?: string; claimedBy?: string } };

function answerText(answer: Answer): string {
  return `${answer.status} ${answer.body?.message ?? ''}`.trim();
}

function refuseIfStopped(signal: AbortSignal, runId?: string): void {
  if (signal.aborted)
    throw new RunnerRefusal(`pod terminated before it claimed ${runId ? `run ${runId}` : 'its run'}; the program was not started`, STOPPED_EXIT_CODE);
}

async function call(what: string, signal: AbortSignal, send: () => Promise<Answer>): Promise<Answer> {
  try {
    return await send();
  } catch (error) {
    refuseIfStopped(signal);
    if (error instanceof IngestUnavailableError) throw new RunnerRefusal(`${what}: ingest unavailable for ${REQUEST_RETRY_MS / 1000} s (${error.last})`, 1);
    throw error;
  }
}

/** POST /api/agent/runs under the Job's key: a repeated pod of the same tick gets the same run. */
async function createRun(client: IngestClient, run: ScheduledRun, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + REQUEST_RETRY_MS;
  const answer = await call('creating the run', signal, () =>
    client.request('POST', '/api/agent/runs', run.body, { idempotencyKey: run.idempotencyKey, deadline: () => deadline, signal }),
  );
  if (answer.status === 400 && run.body.targetGateway && /targetGateway/.test(answer.body?.message ?? '')) {
    throw new RunnerRefusal(`the token in the Secret is not a gateway token of ${run.body.targetGateway} (ingest answered ${answerText(answer)})`, 1);
  }
  if (answer.status !== 201 || typeof answer.body?.id !== 'string') throw new RunnerRefusal(`creating the run: ingest answered ${answerText(answer)}`, 1);
  return answer.body.id;
}

/** Statuses in which another executor's claim means the run is in good hands (or ended well). */
const GOING_WELL = new Set(['pending', 'running', 'success']);

/**
 * The run is not this pod's to execute. Its Job then ends as the run does: 0 while another pod
 * has it (a second pod of the same Job, after the first claimed it) or once it succeeded; 1 for
 * a run that ended otherwise (cancelled before its pod started, or given up as stranded).
 */
function notClaimable(runId: string, body: Answer['body']): RunnerRefusal {
  const { status = 'not pending', claimedBy } = body ?? {};
  const why = claimedBy ? `already claimed by ${claimedBy} (${status})` : `${status}, and only a pending run is claimed`;
  return new RunnerRefusal(`run ${runId} is ${why}: this pod does not run the program`, claimedBy && GOING_WELL.has(status) ? 0 : 1);
}

/**
 * Claims the run for this pod with a claim id of its own, retried as one attempt, so the pod
 * learns whether it won even when an answer is lost.
 */
async function claimRun(client: IngestClient, runId: string, signal: AbortSignal): Promise<void> {
  const claimId = randomUUID();
  const started = Date.now();
  for (;;) {
    refuseIfStopped(signal, runId);
    const answer = await call(`claiming run ${runId}`, signal, () =>
      client.request(
        'POST',
        `/api/agent/runs/${encodeURIComponent(runId)}/claim`,
        { claimId },
        { idempotencyKey: claimId, deadline: () => started + REQUEST_RETRY_MS, signal },
      ),
    );
    if (answer.status === 200) return;
    if (answer.status === 409) throw notClaimable(runId, answer.body);
    if (answer.status === 404 && Date.now() - started < NOT_FOUND_RETRY_MS) {
      await new Promise((resolve) => setTimeout(resolve, NOT_FOUND_PAUSE_MS));
      continue;
    }
    if (answer.status === 404) {
      throw new RunnerRefusal(`run ${runId} not found for this token's gateway: is the token in the Secret a gateway token of CONTROL_KUBERNETES_GATEWAY?`, 1);
    }
    throw new RunnerRefusal(`claiming run ${runId}: ingest answered ${answerText(answer)}`, 1);
  }
}

/**
 * The run this pod executes, claimed: the given one (a trigger), or one created for this
 * Kubernetes Job (a tick). Once `signal` aborts (SIGTERM), nothing more is created or claimed.
 */
export async function acquireRun(client: IngestClient, run: RunnerConfig['run'], signal: AbortSignal): Promise<string> {
  refuseIfStopped(signal);
  const runId = run.kind === 'given' ? run.runId : await createRun(client, run.create, signal);
  await claimRun(client, runId, signal);
  return runId;
}
