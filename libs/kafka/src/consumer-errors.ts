/** The topic gained partitions while this consumer ran: folding them would order a run's events wrongly. */
export class PartitionsAddedError extends Error {
  override readonly name = 'PartitionsAddedError';

  constructor(topic: string, count: number, partition: number) {
    super(
      `${topic} gained partitions while consuming (partition ${partition} assigned; its state is built under ${count}): ` +
        'stopped before folding any; see docs/scaling.md, "Knobs"',
    );
  }
}

/** The sink kept failing past the retry budget. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly lastError: Error,
  ) {
    super(`writes failed ${attempts} times over ${Math.round(elapsedMs / 1000)} s; last error: ${lastError.message}`);
    this.name = 'RetriesExhaustedError';
  }
}

/** kafkajs errors saying this member's assignment no longer holds (kafkajs rejoins on each). */
const MEMBERSHIP_CHANGES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

export const isMembershipChange = (error: unknown): error is Error & { type: string } =>
  error instanceof Error && MEMBERSHIP_CHANGES.has((error as { type?: string }).type ?? '');

/** What one flush has learnt about the group while it ran. */
export interface FlushMembership {
  change?: Error;
}
