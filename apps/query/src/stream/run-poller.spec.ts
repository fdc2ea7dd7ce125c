import { RunLogEntryRow, RunRow, RunTelemetrySampleRow, SeqRange } from '@runstream/clickhouse';
import { RunPoller, StreamEventName, StreamSink } from './run-poller';
import { RunStreamSource } from './run-stream.source';
import { parseStreamCursor, STREAM_START } from './stream-cursor';

const AT = '2026-02-26 06:00:00.000';

/** A run whose read model the test moves forward by hand. */
class FakeSource {
  run: Partial<RunRow> = { status: 'running', kafka_offset: '1', log_generation: 0, log_count: 0, sample_generation: 0, sample_count: 0 };
  lines: RunLogEntryRow[] = [];
  reads = 0;

  append(message: string): void {
    const seq = Number(this.run.log_count);
    // As ClickHouse answers a UInt64: decimal text.
    this.lines.push({ generation: this.run.log_generation, seq: String(seq), at: AT, level: 'info', message } as RunLogEntryRow);
    this.run = { ...this.run, log_count: seq + 1, kafka_offset: String(Number(this.run.kafka_offset) + 1) };
  }

  async runRow(): Promise<RunRow> {
    this.reads += 1;
    return { id: 'r', project_id: 'p', created_at: AT, updated_at: AT, start_time: AT, end_time: null, telemetry_summary: '{}', ...this.run } as RunRow;
  }

  asSource(): RunStreamSource {
    return {
      run: () => this.runRow(),
      logs: async (range: SeqRange) =>
        this.lines.filter((l) => l.generation === range.generation && Number(l.seq) > range.after && Number(l.seq) < range.before),
      samples: async (): Promise<RunTelemetrySampleRow[]> => [],
    } as unknown as RunStreamSource;
  }
}

class CollectingSink implements StreamSink {
  events: { id: string; event: StreamEventName; data: Record<string, unknown> }[] = [];
  ended = false;
  send(id: string, event: StreamEventName, data: unknown): void {
    this.events.push({ id, event, data: data as Record<string, unknown> });
  }
  end(): void {
    this.ended = true;
  }
  messages(): unknown[] {
    return this.events.filter((e) => e.event === 'log').map((e) => e.data.message);
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

/** Waits until `done` holds (the poller polls every millisecond; a busy machine may take longer than a tick). */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5_000; !done() && Date.now() < deadline;) await tick();
}
let stopOnFailure = (): void => undefined;
afterEach(() => stopOnFailure());

describe('RunPoller', () => {
  it('shares one poll among streams, resumes one from its last event id, and ends them at the terminal status', async () => {
    const source = new FakeSource();
    const poller = new RunPoller(source.asSource(), 'org', 'r', 1, () => undefined);
    const a = new CollectingSink();
    const subscriberA = { cursor: STREAM_START, sink: a };
    poller.add(subscriberA);
    // A failed expectation must not leave the poller running.
    stopOnFailure = () => poller.remove(subscriberA);
    source.append('one');
    source.append('two');
    await until(() => a.messages().length >= 2);
    expect(a.messages()).toEqual(['one', 'two']);
    // seq is read as decimal text and sent as the number the stream's docs promise.
    expect(a.events.filter((e) => e.event === 'log').map((e) => e.data.seq)).toEqual([0, 1]);

    // B joins from the id of A's first line: it gets the rest, never the first again.
    const b = new CollectingSink();
    const firstLine = a.events.find((e) => e.event === 'log' && e.data.message === 'one');
    poller.add({ cursor: parseStreamCursor(firstLine?.id), sink: b });
    source.append('three');
    await until(() => b.messages().length >= 2);
    expect(b.messages()).toEqual(['two', 'three']);

    // A replace starts a new generation: both streams get its lines from the first.
    source.run = { ...source.run, log_generation: 1, log_count: 0 };
    source.append('fresh');
    source.run = { ...source.run, status: 'success', kafka_offset: String(Number(source.run.kafka_offset) + 1) };
    await until(() => a.ended && b.ended);
    for (const sink of [a, b]) {
      expect(sink.messages().slice(-1)).toEqual(['fresh']);
      expect(sink.events[sink.events.length - 1].event).toBe('end');
      expect(sink.ended).toBe(true);
    }
    expect(a.messages()).toEqual(['one', 'two', 'three', 'fresh']);
    expect(poller.size).toBe(0);
    const reads = source.reads;
    await tick();
    expect(source.reads).toBe(reads);
  });
});
