import { EventPublisher, OutgoingMessage } from '@runstream/kafka';

/**
 * The dead-letter publisher of a rebuild's replay. Below the main group's committed offset
 * (per partition, taken before the replay) the materializer already published a message's
 * dead letter: it is counted, not sent again. From there on the main group never got to
 * it, and the rebuild moves the group past it, so the replay's dead letter is the only one
 * and goes to the topic.
 */
export class ReplayDeadLetterPublisher implements EventPublisher {
  resent = 0;
  published = 0;

  /** `committed`: partition → the main group's next offset to read ('-1' or absent when it has none). */
  constructor(
    private readonly target: EventPublisher,
    private readonly committed: ReadonlyMap<number, bigint>,
  ) {}

  async connect(): Promise<void> {
    await this.target.connect();
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    const firstTime = messages.filter((message) => !this.alreadyPublished(message));
    if (firstTime.length > 0) await this.target.publish(topic, firstTime);
    this.published += firstTime.length;
    this.resent += messages.length - firstTime.length;
  }

  async disconnect(): Promise<void> {
    await this.target.disconnect();
  }

  private alreadyPublished(message: OutgoingMessage): boolean {
    const partition = message.headers?.['dlq.partition'];
    const offset = message.headers?.['dlq.offset'];
    if (partition === undefined || offset === undefined) return false;
    const committed = this.committed.get(Number(partition));
    return committed !== undefined && BigInt(offset) < committed;
  }
}
