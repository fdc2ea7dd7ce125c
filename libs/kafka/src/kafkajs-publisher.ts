import { CompressionTypes, Kafka, PartitionMetadata, Partitioners, Producer } from 'kafkajs';
import { ProducerSlot } from './producer-slot';
import { EventPublisher, OutgoingMessage, PublishObserver, PublishOptions } from './event-log.port';
import { MessageTooLargeError, PublisherOverloadedError, PublisherUnavailableError, PublishTimeoutError } from './publish-errors';
import { Chunk, chunkEntries, Entry, PublishCall, Send, SendQueue } from './publish-queue';
import { batchRecordBudget, maxPayloadBytes, RECORD_OVERHEAD, recordBytes } from './record-size';
import { classifySendFailure } from './send-failure';
import { TopicLayout, TopicLayouts } from './topic-layouts';

export interface KafkajsPublisherOptions {
  /** Deadline of publish() calls that bring none. */
  deadlineMs?: number;
  /** Queued plus in-flight bytes; past it publish() rejects with PublisherOverloadedError. */
  maxPendingBytes?: number;
  maxMessagesPerSend?: number;
  /** Topics whose layout is read at connect, so maxMessageBytes() answers for them at once. */
  topics?: string[];
  /**
   * Idempotent producers, each with its own connection; partition p always goes through
   * producer p % lanes. kafkajs sends one request at a time per connection (idempotence needs
   * maxInFlightRequests 1), so one producer would send a round's partitions one after another.
   */
  lanes?: number;
  /** Told the duration and outcome of every publish() call. */
  observer?: PublishObserver;
}

const MAX_REJECTIONS = 3;
const DEFAULT_LANES = 4;
/** How long the leader waits for the in-sync replicas before answering REQUEST_TIMED_OUT (kafkajs then retries). */
const ACK_TIMEOUT_MS = 5_000;

/**
 * Idempotent, acks=all producer with group commit: while one round of sends is in flight,
 * concurrent publish() calls gather and go out together in the next round, one send per
 * partition, so a broker error fails exactly one partition's batch and the batch is known
 * to be unwritten. Callers resolve only once the broker acknowledged their messages.
 *
 * Sends of one round go out in parallel over a few producers (lanes, one connection each; a
 * partition always uses the same lane, so its order holds). A send kafkajs gave up on without
 * a verdict (connection lost, broker killed after writing) is in doubt: it is resent unchanged
 * through the same producer until the broker answers, so it lands exactly once and a caller
 * whose deadline passed learns that it landed (PublishTimeoutError.landed). A send refused over
 * the producer's state is retried through a new producer (new producer id, fresh sequences).
 */
export class KafkajsPublisher implements EventPublisher {
  private readonly layouts: TopicLayouts;
  private readonly queue = new SendQueue();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly producers: ProducerSlot[];
  private readonly deadlineMs: number;
  private readonly maxPendingBytes: number;
  private readonly maxMessagesPerSend: number;
  private pendingBytes = 0;
  private draining = false;
  private closing = false;

  constructor(
    kafka: Kafka,
    private readonly options: KafkajsPublisherOptions = {},
  ) {
    this.layouts = new TopicLayouts(kafka);
    this.producers = Array.from({ length: Math.max(1, options.lanes ?? DEFAULT_LANES) }, () => new ProducerSlot(kafka));
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.maxMessagesPerSend = options.maxMessagesPerSend ?? 5000;
  }

  async connect(): Promise<void> {
    await this.layouts.connect(this.options.topics ?? []);
    await Promise.all(this.producers.map((producer) => producer.connect()));
  }

  /** Largest key + value + header bytes one message of `topic` may have (the topic must have been published to or named at construction). */
  maxMessageBytes(topic: string): number {
    const layout = this.layouts.cached(topic);
    if (layout === undefined) throw new Error(`Topic ${topic} was not loaded: name it in the publisher's topics option`);
    return maxPayloadBytes(layout.maxMessageBytes);
  }

  publish(topic: string, messages: OutgoingMessage[], options: PublishOptions = {}): Promise<void> {
    const observer = this.options.observer;
    if (observer === undefined) return this.enqueuePublish(topic, messages, options);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    return this.enqueuePublish(topic, messages, options).then(
      () => observer.published(topic, seconds(), 'acknowledged'),
      (error: unknown) => {
        observer.published(topic, seconds(), error instanceof PublishTimeoutError ? 'timeout' : 'refused');
        throw error;
      },
    );
  }

  private enqueuePublish(topic: string, messages: OutgoingMessage[], options: PublishOptions): Promise<void> {
    if (this.closing) return Promise.reject(new PublisherUnavailableError('The publisher is shutting down'));
    if (messages.length === 0) return Promise.resolve();
    const sizes = messages.map(recordBytes);
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    if (this.pendingBytes + bytes > this.maxPendingBytes) {
      return Promise.reject(new PublisherOverloadedError(this.pendingBytes + bytes, this.maxPendingBytes));
    }
    return new Promise<void>((resolve, reject) => {
      const call = new PublishCall(bytes, resolve, reject);
      this.pendingBytes += bytes;
      const deadlineMs = options.deadlineMs ?? this.deadlineMs;
      call.startDeadline(deadlineMs, () => this.expire(call, deadlineMs));
      const layout = this.layouts.cached(topic);
      // A known layout enqueues synchronously, so calls keep their order per key.
      if (layout !== undefined) this.enqueue(call, topic, layout, messages, sizes);
      else {
        this.layouts.get(topic).then(
          (loaded) => this.enqueue(call, topic, loaded, messages, sizes),
          (error: unknown) => this.abandon(call, new PublisherUnavailableError(`Could not read the layout of Kafka topic ${topic}`, { cause: error })),
        );
      }
    });
  }

  async disconnect(): Promise<void> {
    this.closing = true;
    // Bounded: sends in doubt are given up, and so are queued chunks of calls past their deadline (they would
    // wait for the broker to come back); queued calls leave at their deadline, kafkajs gives up on a send after its retries.
    this.giveUpInDoubt(() => true);
    this.giveUpExpired();
    while (this.draining) await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all(this.producers.map((producer) => producer.disconnect()));
    await this.layouts.disconnect();
  }

  private enqueue(call: PublishCall, topic: string, layout: TopicLayout, messages: OutgoingMessage[], sizes: number[]): void {
    if (!call.pending) return this.release(call.bytes);
    const budget = batchRecordBudget(layout.maxMessageBytes);
    const tooLarge = sizes.findIndex((size) => size > budget);
    if (tooLarge >= 0) {
      return this.abandon(call, new MessageTooLargeError(tooLarge, sizes[tooLarge] - RECORD_OVERHEAD, maxPayloadBytes(layout.maxMessageBytes)));
    }
    const metadata = partitionMetadata(layout.partitions);
    const entries: Entry[] = messages.map((message, index) => {
      const kafkaMessage = { key: message.key, value: message.value, headers: message.headers };
      const partition = this.partitioner({ topic, partitionMetadata: metadata, message: kafkaMessage });
      return { message: { ...kafkaMessage, partition }, bytes: sizes[index], index };
    });
    const chunks = chunkEntries(call, topic, entries, budget, this.maxMessagesPerSend);
    call.chunksLeft = chunks.length;
    for (const chunk of chunks) this.queue.push(chunk);
    void this.drain();
  }

  /** Fails a call none of whose chunks were queued yet. */
  private abandon(call: PublishCall, error: Error): void {
    this.release(call.bytes);
    call.fail(error);
  }

  private expire(call: PublishCall, deadlineMs: number): void {
    if (!call.sent) for (const chunk of this.queue.remove(call)) this.release(chunk.bytes);
    call.expire(deadlineMs, !call.sent);
    if (this.closing) this.giveUpExpired();
  }

  /**
   * While closing, a call past its deadline is not worth waiting for the broker: its queued chunks fail (landed: false,
   * exact for a call of one chunk such as an ingest event; a call of several may have had others written, as when any chunk fails).
   */
  private giveUpExpired(): void {
    for (const chunk of this.queue.removeWhere((queued) => !queued.call.pending)) {
      this.failChunk(chunk, new PublisherUnavailableError('The publisher shut down before Kafka could take the write'));
    }
  }

  /** A chunk whose send was not written goes again while its call still wants it (while closing: only before its deadline). */
  private wanted(chunk: Chunk): boolean {
    return this.closing ? chunk.call.pending : chunk.call.live;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.queue.isEmpty) {
        // Wait for every lane while the broker is away (queued calls leave at their deadline).
        const ready = await Promise.all(this.producers.map((producer) => producer.ready(() => !this.queue.isEmpty)));
        if (ready.some((producer) => producer === undefined)) break;
        const sends = this.queue.takeRound((topic) => this.budget(topic), this.maxMessagesPerSend);
        for (const send of sends) for (const chunk of send.chunks) chunk.call.sent = true;
        const outcomes = await Promise.allSettled(sends.map((send) => this.sendOne(ready[this.laneOf(send)] as Producer, send)));
        for (const [index, outcome] of outcomes.entries()) {
          if (outcome.status === 'fulfilled') for (const chunk of sends[index].chunks) this.acknowledged(chunk);
          else await this.sendFailed(sends[index], outcome.reason as Error);
        }
      }
    } finally {
      this.draining = false;
    }
    // A chunk queued while the loop was leaving found it still draining.
    if (!this.queue.isEmpty) void this.drain();
  }

  private sendOne(producer: Producer, send: Send): Promise<unknown> {
    const messages = send.chunks.flatMap((chunk) => chunk.entries.map((entry) => entry.message));
    return producer.sendBatch({ acks: -1, timeout: ACK_TIMEOUT_MS, compression: CompressionTypes.None, topicMessages: [{ topic: send.topic, messages }] });
  }

  private laneOf(send: Send): number {
    return send.partition % this.producers.length;
  }

  private async sendFailed(send: Send, error: Error): Promise<void> {
    const failure = classifySendFailure(error);
    // kafkajs rewound the partition's sequence number, which is right for a batch the broker refused.
    if (failure === 'too-large') return this.isolateTooLarge(send);
    if (failure === 'in-doubt' && !this.closing) return this.queue.pin(send);
    if (failure === 'unwritten') this.respawn(this.laneOf(send));
    const requeue: Chunk[] = [];
    for (const chunk of send.chunks) {
      chunk.rejections += 1;
      if (failure === 'unwritten' && chunk.rejections < MAX_REJECTIONS && this.wanted(chunk)) requeue.push(chunk);
      else this.failChunk(chunk, new PublisherUnavailableError(`Kafka did not acknowledge the write: ${error.message}`, { cause: error }));
    }
    this.queue.requeue(requeue);
  }

  /**
   * The lane's next send goes through a new producer. Its sends in doubt can no longer be
   * settled (a new producer id defeats the broker's duplicate check): they are given up, and a
   * caller whose deadline passed is told they did not land, so a retry may write them twice.
   */
  private respawn(lane: number): void {
    this.producers[lane].spoil();
    this.giveUpInDoubt((send) => this.laneOf(send) === lane);
  }

  private giveUpInDoubt(which: (send: Send) => boolean): void {
    for (const send of this.queue.unpin(which)) {
      for (const chunk of send.chunks)
        this.failChunk(chunk, new PublisherUnavailableError('Kafka did not acknowledge the write, and its outcome can no longer be learned'));
    }
  }

  /**
   * A batch over the topic's limit was refused whole (the limit may have shrunk since it was
   * read). Re-read the limit, fail the messages over it, and resend the rest alone, halving
   * a lone chunk that fails again until the culprit message is found.
   */
  private async isolateTooLarge(send: Send): Promise<void> {
    const layout = await this.layouts.load(send.topic).catch(() => this.layouts.cached(send.topic));
    const maxMessageBytes = layout?.maxMessageBytes ?? 0;
    const budget = batchRecordBudget(maxMessageBytes);
    const alone = send.chunks.length === 1;
    const requeue: Chunk[] = [];
    for (const chunk of send.chunks) {
      const culprit = chunk.entries.find((entry) => entry.bytes > budget) ?? (alone && chunk.entries.length === 1 ? chunk.entries[0] : undefined);
      if (culprit !== undefined) {
        this.failChunk(chunk, new MessageTooLargeError(culprit.index, culprit.bytes - RECORD_OVERHEAD, maxPayloadBytes(maxMessageBytes)));
      } else if (!chunk.call.live) {
        this.release(chunk.bytes);
      } else if (alone) {
        const half = Math.ceil(chunk.entries.length / 2);
        chunk.call.chunksLeft += 1;
        requeue.push(soloPart(chunk, chunk.entries.slice(0, half)), soloPart(chunk, chunk.entries.slice(half)));
      } else {
        requeue.push({ ...chunk, solo: true });
      }
    }
    this.queue.requeue(requeue);
  }

  private acknowledged(chunk: Chunk): void {
    this.release(chunk.bytes);
    chunk.call.chunkAcknowledged();
  }

  /** Fails a chunk's call; its other queued chunks leave the queue unsent. */
  private failChunk(chunk: Chunk, error: Error): void {
    this.release(chunk.bytes);
    for (const queued of this.queue.remove(chunk.call)) this.release(queued.bytes);
    chunk.call.fail(error);
  }

  private release(bytes: number): void {
    this.pendingBytes -= bytes;
  }

  private budget(topic: string): number {
    const layout = this.layouts.cached(topic);
    return layout === undefined ? 0 : batchRecordBudget(layout.maxMessageBytes);
  }
}

const metadataByCount = new Map<number, PartitionMetadata[]>();

/** What the default partitioner needs to map a key the way kafkajs would: the partition count. */
function soloPart(chunk: Chunk, entries: Entry[]): Chunk {
  return { ...chunk, entries, bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0), solo: true };
}

function partitionMetadata(partitions: number): PartitionMetadata[] {
  let metadata = metadataByCount.get(partitions);
  if (metadata === undefined) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [], isr: [] }));
    metadataByCount.set(partitions, metadata);
  }
  return metadata;
}
