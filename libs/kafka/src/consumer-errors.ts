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
