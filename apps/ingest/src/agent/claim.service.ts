import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { uuidv7 } from '@runstream/events';
import { Caller } from '@runstream/http';
import { pollUntil } from '@runstream/runtime';
import { createHash } from 'node:crypto';
import { RetryLaterError } from '../errors/write-outcome.errors';
import { EventWriter } from '../events/event-writer';
import { runEvent } from '../runs/event-payloads';
import { KnownRun, RunDirectory } from '../runs/run-directory';
import { RunLocks } from '../runs/run-locks';

/** How long a claim waits for the materializer to decide it before answering 503. */
const CLAIM_DECISION_TIMEOUT_MS = 10_000;
/** The decision is usually there within a flush or two; a lagging materializer is asked less often. */
const DECISION_POLL = { firstDelayMs: 25, maxDelayMs: 200 };

export interface ClaimedRun {
  id: string;
  status: string;
  claimedBy: string;
  claimId: string;
}

type DecidedRun = KnownRun & { claim_id: string };

/**
 * The id a claim attempt is recorded under: derived from the token and the client's key for
 * the attempt, so a retry of the same attempt (same token, same key) is recognised as the
 * winner, and another claimer cannot borrow it (its token differs). Without a key: random.
 */
export function claimIdFor(tokenId: string, attemptKey: string | undefined): string {
  if (attemptKey === undefined) return uuidv7();
  return `clm_${createHash('sha256').update(`${tokenId}\u0000${attemptKey}`).digest('hex').slice(0, 32)}`;
}

/**
 * Claims are events like any other; the materializer's fold, the single writer of a run's
 * partition, lets the first claim in the log win. A claimer waits until the read model shows
 * the winning claim id and answers 200 only if it is its own.
 */
@Injectable()
export class ClaimService {
  constructor(
    private readonly writer: EventWriter,
    private readonly directory: RunDirectory,
    private readonly locks: RunLocks,
  ) {}

  claim(runId: string, caller: Caller, attemptKey?: string): Promise<ClaimedRun> {
    const claimId = claimIdFor(caller.tokenId, attemptKey);
    return this.locks.run(runId, async () => {
      const run = await this.directory.find(caller.orgId, runId);
      if (!run || run.target_gateway !== caller.gateway) throw new NotFoundException(`run ${runId} not found`);
      if (!isClaimable(run)) {
        // A retry of an attempt that won (its first answer lost, or a 503) learns it here.
        const current = attemptKey === undefined ? undefined : await this.directory.fresh(caller.orgId, runId);
        if (current?.claim_id === claimId) return claimed(runId, current);
        refuse(current ?? run);
      }
      const event = runEvent(caller, run.project_id, runId, 'run.claimed', { gateway: caller.gateway, claim_id: claimId });
      // Repeating an attempt appends its claim again, which the fold ignores once decided.
      await this.writer.appendRepeatable([event], event.payload);
      const decided = await this.waitForDecision(caller.orgId, runId);
      this.directory.remember(runId, { ...run, status: decided.status, claimed_by: decided.claimed_by });
      if (decided.claim_id !== claimId) refuse(decided);
      return claimed(runId, decided);
    });
  }

  private async waitForDecision(orgId: string, runId: string): Promise<DecidedRun> {
    const decided = await pollUntil(
      async () => {
        const row = await this.directory.fresh(orgId, runId);
        return row && (row.claim_id !== '' || row.status !== 'pending') ? row : undefined;
      },
      { ...DECISION_POLL, timeoutMs: CLAIM_DECISION_TIMEOUT_MS },
    );
    if (decided) return decided;
    throw new RetryLaterError('the claim is recorded but not decided yet; retry with the same Idempotency-Key or claimId to learn whether it won', 5);
  }
}

function isClaimable(run: KnownRun): boolean {
  return run.claimed_by === '' && run.status === 'pending';
}

function claimed(runId: string, run: DecidedRun): ClaimedRun {
  return { id: runId, status: run.status, claimedBy: run.claimed_by, claimId: run.claim_id };
}

function refuse(run: KnownRun): never {
  if (run.claimed_by !== '') {
    throw new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `run is already claimed by ${run.claimed_by}`,
      status: run.status,
      claimedBy: run.claimed_by,
    });
  }
  throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `run is ${run.status}; only pending runs can be claimed`, status: run.status });
}
