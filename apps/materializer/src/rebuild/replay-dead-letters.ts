import { EventPublisher, OutgoingMessage } from '@runstream/kafka';

/**
 * The dead-letter publisher of a rebuild's replay. Below the main group's committed offset
 * (per partition, taken before the replay) the materializer already published a message's
 * dead letter: it is counted, not sent again. From there to the end offset the rebuild moves
 * the group to, the main group never got to it and never will, so the replay's dead letter is
 * the only one and goes to the topic. Past the end (written while the rebuild ran) the
 * materializer reads it again after the rebuild, and dead-letters it then.
 */
export class ReplayDeadLetterPublisher implements EventPublisher {
  skipped = 0;
  published = 0;

  /**
   * `committed`: partition → the main group's next offset to read (-1 or absent when it has none);
   * `ends`: partition → the offset the main group is moved to when the rebuild is done.
   */
  constructor(
    private readonly target: EventPublisher,
    private readonly committed: ReadonlyMap<number, bigint>,
    private readonly ends: ReadonlyMap<number, bigint>,
  ) {}

  async connect(): Promise<void> {
    await this.target.connect();
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    const firstTime = messages.filter((message) => this.onlyHere(message));
    if (firstTime.length > 0) await this.target.publish(topic, firstTime);
    this.published += firstTime.length;
    this.skipped += messages.length - firstTime.length;
  }

  async disconnect(): Promise<void> {
    await this.target.disconnect();
  }

  /** Whether this replay is the one reading of `message`'s event that dead-letters it. */
  private onlyHere(message: OutgoingMessage): boolean {
    const partition = message.headers?.['dlq.partition'];
    const offset = message.headers?.['dlq.offset'];
    if (partition === undefined || offset === undefined) return true;
    const at = BigInt(offset);
    const committed = this.committed.get(Number(partition));
    const end = this.ends.get(Number(partition));
    return (committed === undefined || at >= committed) && (end === undefined || at < end);
  }
}
