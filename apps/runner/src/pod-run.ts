import { randomUUID } from 'node:crypto';
import { IngestClient, IngestUnavailableError } from '../../agent/src/ingest-client';
import type { RunnerConfig, ScheduledRun } from './runner.config';

/** How long the runner retries creating or claiming its run while ingest is unreachable or busy. */
export const REQUEST_RETRY_MS = 60_000;
/** How long a claim retries a 404: the run may not be materialized yet where the claim landed. */
const NOT_FOUND_RETRY_MS = 30_000;
const NOT_FOUND_PAUSE_MS = 500;

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

function describe(answer: Answer): string {
  return `${answer.status} ${answer.body?.message ?? ''}`.trim();
}

async function call(client: IngestClient, what: string, send: () => Promise<Answer>): Promise<Answer> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof IngestUnavailableError) throw new RunnerRefusal(`${what}: ingest unavailable for ${REQUEST_RETRY_MS / 1000} s (${error.last})`, 1);
    throw error;
  }
}

/** POST /api/agent/runs under the Job's key: a repeated pod of the same tick gets the same run. */
async function createRun(client: IngestClient, run: ScheduledRun): Promise<string> {
  const deadline = Date.now() + REQUEST_RETRY_MS;
  const answer = await call(client, 'creating the run', () =>
    client.request('POST', '/api/agent/runs', run.body, { idempotencyKey: run.idempotencyKey, deadline: () => deadline }),
  );
  if (answer.status !== 201 || typeof answer.body?.id !== 'string') throw new RunnerRefusal(`creating the run: ingest answered ${describe(answer)}`, 1);
  return answer.body.id;
}

/**
 * Claims the run for this pod with a claim id of its own, retried as one attempt, so the pod
 * learns whether it won even when an answer is lost. Another pod of the same tick (or an agent
 * of the same gateway) that won first means this one must not run the program: a 409.
 */
async function claimRun(client: IngestClient, runId: string): Promise<void> {
  const claimId = randomUUID();
  const started = Date.now();
  for (;;) {
    const answer = await call(client, `claiming run ${runId}`, () =>
      client.request(
        'POST',
        `/api/agent/runs/${encodeURIComponent(runId)}/claim`,
        { claimId },
        { idempotencyKey: claimId, deadline: () => started + REQUEST_RETRY_MS },
      ),
    );
    if (answer.status === 200) return;
    if (answer.status === 409) {
      const { status = 'not pending', claimedBy } = answer.body ?? {};
      const why = claimedBy ? `already claimed by ${claimedBy} (${status})` : `${status}, and only a pending run is claimed`;
      throw new RunnerRefusal(`run ${runId} is ${why}: this pod does not run the program`, 0);
    }
    if (answer.status === 404 && Date.now() - started < NOT_FOUND_RETRY_MS) {
      await new Promise((resolve) => setTimeout(resolve, NOT_FOUND_PAUSE_MS));
      continue;
    }
    if (answer.status === 404) {
      throw new RunnerRefusal(`run ${runId} not found for this token's gateway: is the token in the Secret a gateway token of CONTROL_KUBERNETES_GATEWAY?`, 1);
    }
    throw new RunnerRefusal(`claiming run ${runId}: ingest answered ${describe(answer)}`, 1);
  }
}

/** The run this pod executes, claimed: the given one (a trigger), or one created for this Kubernetes Job (a tick). */
export async function acquireRun(client: IngestClient, run: RunnerConfig['run']): Promise<string> {
  const runId = run.kind === 'given' ? run.runId : await createRun(client, run.create);
  await claimRun(client, runId);
  return runId;
}
