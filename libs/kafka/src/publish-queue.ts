import { Message } from 'kafkajs';
import { PublishTimeoutError } from './publish-errors';

/** One publish() call: settles once every chunk of it was acknowledged, or at the first failure or the deadline. */
export class PublishCall {
  chunksLeft = 0;
  /** Some chunk went out to the broker: from now on the outcome is the broker's to tell. */
  sent = false;
  private state: 'pending' | 'resolved' | 'failed' | 'expired' = 'pending';
  private settleLanded?: (landed: boolean) => void;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly bytes: number,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
  ) {}

  get pending(): boolean {
    return this.state === 'pending';
  }

  /** Still wanted on the broker: pending, or expired with its outcome still to report. */
  get live(): boolean {
    return this.state === 'pending' || this.state === 'expired';
  }

  startDeadline(deadlineMs: number, onExpiry: () => void): void {
    this.timer = setTimeout(onExpiry, deadlineMs);
  }

  chunkAcknowledged(): void {
    this.chunksLeft -= 1;
    if (this.chunksLeft > 0) return;
    if (this.state === 'pending') {
      this.state = 'resolved';
      clearTimeout(this.timer);
      this.resolve();
    } else if (this.state === 'expired') {
      this.state = 'resolved';
      this.settleLanded?.(true);
    }
  }

  fail(error: Error): void {
    if (this.state === 'resolved' || this.state === 'failed') return;
    clearTimeout(this.timer);
    if (this.state === 'pending') this.reject(error);
    if (this.state === 'expired') this.settleLanded?.(false);
    this.state = 'failed';
  }

  /** Deadline passed: `landed` settles with the outcome later, unless it is already known (unsent: false). */
  expire(deadlineMs: number, unsent: boolean): void {
    if (this.state !== 'pending') return;
    this.state = unsent ? 'failed' : 'expired';
    const landed = unsent ? Promise.resolve(false) : new Promise<boolean>((settle) => (this.settleLanded = settle));
    this.reject(new PublishTimeoutError(deadlineMs, landed));
  }
}

export interface Entry {
  message: Message & { partition: number };
  bytes: number;
  /** Position in the publish() call, for MessageTooLargeError. */
  index: number;
}

/** Consecutive messages of one call for one partition, small enough for one record batch. */
export interface Chunk {
  call: PublishCall;
  topic: string;
  partition: number;
  entries: Entry[];
  bytes: number;
  /** Sent alone, to find which message a MESSAGE_TOO_LARGE batch was about. */
  solo: boolean;
  /** Sends the broker rejected without writing (the chunk is retried on a new producer). */
  rejections: number;
}

export interface Send {
  topic: string;
  partition: number;
  chunks: Chunk[];
}

/** Splits a call's messages by partition, then into chunks of at most `budget` bytes and `maxMessages` messages. */
export function chunkEntries(call: PublishCall, topic: string, entries: Entry[], budget: number, maxMessages: number): Chunk[] {
  const chunks: Chunk[] = [];
  const open = new Map<number, Chunk>();
  for (const entry of entries) {
    const partition = entry.message.partition;
    let chunk = open.get(partition);
    if (chunk === undefined || chunk.bytes + entry.bytes > budget || chunk.entries.length >= maxMessages) {
      chunk = { call, topic, partition, entries: [], bytes: 0, solo: false, rejections: 0 };
      chunks.push(chunk);
      open.set(partition, chunk);
    }
    chunk.entries.push(entry);
    chunk.bytes += entry.bytes;
  }
  return chunks;
}

/**
 * Chunks waiting to be sent, one FIFO lane per topic partition, and the sends whose outcome is
 * in doubt: a pinned send goes out again exactly as it was, before anything else of its partition.
 */
export class SendQueue {
  private readonly lanes = new Map<string, Chunk[]>();
  private readonly pinned = new Map<string, Send>();

  get isEmpty(): boolean {
    return this.lanes.size === 0 && this.pinned.size === 0;
  }

  push(chunk: Chunk): void {
    this.lane(chunk).push(chunk);
  }

  /** Holds a send whose outcome is in doubt, to be resent unchanged in the next round. */
  pin(send: Send): void {
    this.pinned.set(laneKey(send), send);
  }

  /** Removes and returns the pinned sends `which` picks. */
  unpin(which: (send: Send) => boolean): Send[] {
    const taken = [...this.pinned].filter(([, send]) => which(send));
    for (const [key] of taken) this.pinned.delete(key);
    return taken.map(([, send]) => send);
  }

  /** Puts chunks back at the head of their lanes, in their order. */
  requeue(chunks: Chunk[]): void {
    for (const chunk of [...chunks].reverse()) this.lane(chunk).unshift(chunk);
  }

  /** Removes and returns every queued chunk of a call. */
  remove(call: PublishCall): Chunk[] {
    return this.removeWhere((chunk) => chunk.call === call);
  }

  /** Removes and returns every queued chunk `which` picks. */
  removeWhere(which: (chunk: Chunk) => boolean): Chunk[] {
    const removed: Chunk[] = [];
    for (const [key, lane] of this.lanes) {
      const kept = lane.filter((chunk) => !which(chunk) || (removed.push(chunk), false));
      if (kept.length === 0) this.lanes.delete(key);
      else this.lanes.set(key, kept);
    }
    return removed;
  }

  /**
   * One send per partition with waiting chunks, each one record batch within the topic's
   * byte budget and the message cap (a chunk alone always fits: chunkEntries made it so).
   */
  takeRound(budget: (topic: string) => number, maxMessages: number): Send[] {
    const sends = this.unpin(() => true);
    const held = new Set(sends.map(laneKey));
    for (const [key, lane] of this.lanes) {
      if (held.has(key)) continue;
      const first = lane[0];
      const limit = budget(first.topic);
      let bytes = 0;
      let count = 0;
      let taken = 0;
      while (taken < lane.length) {
        const chunk = lane[taken];
        const alone = first.solo || chunk.solo;
        if (taken > 0 && (alone || bytes + chunk.bytes > limit || count + chunk.entries.length > maxMessages)) break;
        bytes += chunk.bytes;
        count += chunk.entries.length;
        taken += 1;
        if (alone) break;
      }
      sends.push({ topic: first.topic, partition: first.partition, chunks: lane.splice(0, taken) });
      if (lane.length === 0) this.lanes.delete(key);
    }
    return sends;
  }

  private lane(chunk: Chunk): Chunk[] {
    const key = laneKey(chunk);
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = [];
      this.lanes.set(key, lane);
    }
    return lane;
  }
}

function laneKey(of: { topic: string; partition: number }): string {
  return `${of.topic}\u0000${of.partition}`;
}
