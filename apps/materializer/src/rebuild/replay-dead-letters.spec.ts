import { EventPublisher, OutgoingMessage } from '@runstream/kafka';
import { ReplayDeadLetterPublisher } from './replay-dead-letters';

class RecordingPublisher implements EventPublisher {
  readonly sent: OutgoingMessage[] = [];
  async connect(): Promise<void> {}
  async publish(_topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
  async disconnect(): Promise<void> {}
}

const letter = (partition: number, offset: number): OutgoingMessage => ({
  key: 'run_1',
  value: Buffer.from('x'),
  headers: { 'dlq.reason': 'bad', 'dlq.topic': 'runs', 'dlq.partition': String(partition), 'dlq.offset': String(offset) },
});

describe('ReplayDeadLetterPublisher', () => {
  it('sends only dead letters at or past the main group’s commit on their partition', async () => {
    const target = new RecordingPublisher();
    // Partition 0 committed up to 10, partition 1 never committed (-1), partition 2 unknown to the group; all end at 20.
    const ends = new Map([0, 1, 2].map((partition) => [partition, 20n]));
    const publisher = new ReplayDeadLetterPublisher(
      target,
      new Map([
        [0, 10n],
        [1, -1n],
      ]),
      ends,
    );
    await publisher.publish('dlq', [letter(0, 9), letter(0, 10), letter(1, 0), letter(2, 3), letter(0, 19)]);
    expect(target.sent.map((message) => `${message.headers?.['dlq.partition']}@${message.headers?.['dlq.offset']}`)).toEqual(['0@10', '1@0', '2@3', '0@19']);
    expect(publisher.published).toBe(4);
    expect(publisher.skipped).toBe(1);
  });

  it('leaves events written while the rebuild ran (at or past the end) to the materializer, which reads them after it', async () => {
    const target = new RecordingPublisher();
    const publisher = new ReplayDeadLetterPublisher(target, new Map([[0, 10n]]), new Map([[0, 20n]]));
    await publisher.publish('dlq', [letter(0, 20), letter(0, 25)]);
    expect(target.sent).toHaveLength(0);
  });

  it('does not call the broker when every dead letter was sent before', async () => {
    const target = new RecordingPublisher();
    const publish = jest.spyOn(target, 'publish');
    const publisher = new ReplayDeadLetterPublisher(target, new Map([[0, 100n]]), new Map([[0, 200n]]));
    await publisher.publish('dlq', [letter(0, 1), letter(0, 99)]);
    expect(publish).not.toHaveBeenCalled();
    expect(publisher.skipped).toBe(2);
  });
});
