import { GoneException } from '@nestjs/common';
import { ExecutionChangeRow, LogSlice, RunRow } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';
import { ChangesRepository } from './changes.repository';
import { ChangesService } from './changes.service';

/** An event of the log: the run row and executions it wrote (current rows only). */
interface Written {
  partition: number;
  offset: number;
  runs: string[];
  executions: string[];
}

const AT = '2026-02-26 06:00:00.000';
const RUN = { status: 'running', start_time: AT, end_time: null, duration_seconds: null, created_at: AT, updated_at: AT, telemetry_summary: '{}' };
const EXECUTION = {
  status: 'success',
  started_at: AT,
  completed_at: AT,
  duration_seconds: 1,
  created_at: AT,
  updated_at: AT,
  interval_start: null,
  interval_end: null,
};
const caller: Caller = { orgId: 'org', tokenId: 't', kind: 'user', gateway: '' };
/** UUIDv7-like: every event of the test shares its first digits (its minute), the random tail tells them apart. */
const eventId = (p: number, o: number) => `01a2200c-0000-7000-8000-0000${String(p).padStart(4, '0')}${String(o).padStart(4, '0')}`;

/** The repository over an in-memory log, with the slice semantics of the SQL. */
function repositoryOver(log: Written[], watermarks: Map<number, bigint>): ChangesRepository {
  const inSlice = (slice: LogSlice, p: number, o: number) => BigInt(o) >= (slice.from[p] ?? 0n) && BigInt(o) < (slice.to[p] ?? 0n);
  const ordered = [...log].sort((a, b) => a.offset - b.offset || a.partition - b.partition);
  return {
    watermarks: async () => watermarks,
    plan: async (slice: LogSlice) => (log.some((e) => inSlice(slice, e.partition, e.offset)) ? { kind: 'history' } : { kind: 'none' }),
    runs: async (slice: LogSlice) =>
      ordered
        .filter((e) => inSlice(slice, e.partition, e.offset))
        .flatMap((e) => e.runs.map((id) => ({ ...RUN, id, kafka_partition: e.partition, kafka_offset: String(e.offset) }) as unknown as RunRow))
        .slice(0, slice.limit),
    executions: async (slice: LogSlice) =>
      ordered
        .filter((e) => inSlice(slice, e.partition, e.offset))
        .flatMap((e) =>
          e.executions.map(
            (id) => ({ ...EXECUTION, id, model_name: 'm', kafka_partition: e.partition, kafka_offset: String(e.offset) }) as unknown as ExecutionChangeRow,
          ),
        )
        .slice(0, slice.limit),
    eventIds: async (_org: string, positions: { partition: number; offset: bigint }[]) =>
      new Map(
        positions
          .filter((p) => log.some((e) => e.partition === p.partition && BigInt(e.offset) === p.offset))
          .map((p) => [`${p.partition}@${p.offset}`, eventId(p.partition, Number(p.offset))]),
      ),
  } as unknown as ChangesRepository;
}

const idsOf = (changes: { type: string; run?: { id: string }; model_execution?: { id: string } }[]) =>
  changes.map((c) => (c.type === 'run' ? c.run?.id : c.model_execution?.id));

describe('ChangesService', () => {
  const log: Written[] = [
    { partition: 0, offset: 0, runs: ['r1'], executions: [] },
    { partition: 1, offset: 0, runs: ['r2'], executions: [] },
    { partition: 0, offset: 1, runs: ['r3'], executions: ['e1', 'e2', 'e3'] },
    { partition: 1, offset: 2, runs: [], executions: ['e4'] },
    { partition: 0, offset: 5, runs: ['r4'], executions: [] },
  ];

  it('pages the log in order without splitting an event, each change once', async () => {
    const service = new ChangesService(
      repositoryOver(
        log,
        new Map([
          [0, 6n],
          [1, 3n],
        ]),
      ),
    );
    const seen: (string | undefined)[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await service.page(caller, 'p', { cursor, limit: 2 });
      seen.push(idsOf(page.changes as never));
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    // The third change of event 0@1 would end the second page mid-event: the page takes the whole event.
    expect(seen).toEqual([
      ['r1', 'r2'],
      ['r3', 'e1', 'e2', 'e3'],
      ['e4', 'r4'],
    ]);
    const again = await service.page(caller, 'p', { cursor, limit: 2 });
    expect(again).toMatchObject({ changes: [], has_more: false, next_cursor: cursor });
  });

  it('reads nothing at or above a watermark, and continues once it moves', async () => {
    const service = new ChangesService(
      repositoryOver(
        log,
        new Map([
          [0, 2n],
          [1, 1n],
        ]),
      ),
    );
    const first = await service.page(caller, 'p', { limit: 100 });
    expect(idsOf(first.changes as never)).toEqual(['r1', 'r2', 'r3', 'e1', 'e2', 'e3']);
    expect(first.has_more).toBe(false);
    const later = new ChangesService(
      repositoryOver(
        log,
        new Map([
          [0, 6n],
          [1, 3n],
        ]),
      ),
    );
    const next = await later.page(caller, 'p', { cursor: first.next_cursor, limit: 100 });
    expect(idsOf(next.changes as never)).toEqual(['e4', 'r4']);
  });

  it("answers a caught-up follower's poll without reading the read models", async () => {
    const repository = repositoryOver(
      log,
      new Map([
        [0, 6n],
        [1, 3n],
      ]),
    );
    const reads = { runs: 0, executions: 0 };
    const { runs, executions } = repository;
    repository.runs = (slice, read) => ((reads.runs += 1), runs(slice, read));
    repository.executions = (slice, read) => ((reads.executions += 1), executions(slice, read));
    const service = new ChangesService(repository);
    const all = await service.page(caller, 'p', { limit: 100 });
    expect(all.changes).toHaveLength(8);
    expect(reads).toEqual({ runs: 1, executions: 1 });
    const poll = await service.page(caller, 'p', { cursor: all.next_cursor, limit: 100 });
    expect(poll).toMatchObject({ changes: [], has_more: false, next_cursor: all.next_cursor });
    expect(reads).toEqual({ runs: 1, executions: 1 });
  });

  it('keeps a cursor the read model has not reached (a rebuild in progress) and answers 410 for one into another log', async () => {
    const full = new ChangesService(
      repositoryOver(
        log,
        new Map([
          [0, 6n],
          [1, 3n],
        ]),
      ),
    );
    const end = (await full.page(caller, 'p', { limit: 100 })).next_cursor;
    const rebuilding = new ChangesService(repositoryOver(log, new Map()));
    expect(await rebuilding.page(caller, 'p', { cursor: end, limit: 100 })).toEqual({ changes: [], next_cursor: end, has_more: false });
    const replaced = new ChangesService(
      repositoryOver(
        [{ partition: 0, offset: 9, runs: ['x'], executions: [] }],
        new Map([
          [0, 10n],
          [1, 3n],
        ]),
      ),
    );
    await expect(replaced.page(caller, 'p', { cursor: end, limit: 100 })).rejects.toBeInstanceOf(GoneException);
  });

  it('delivers nothing and keeps the cursor when a rebuild empties the watermarks while the page is read', async () => {
    const repository = repositoryOver(
      log,
      new Map([
        [0, 6n],
        [1, 3n],
      ]),
    );
    // The first read sees the read model whole; by the second the rebuild has emptied the watermarks (rows half replayed).
    const reads = [repository.watermarks(), Promise.resolve(new Map<number, bigint>())];
    const service = new ChangesService({ ...repository, watermarks: () => reads.shift() ?? Promise.resolve(new Map()) } as unknown as ChangesRepository);
    expect(await service.page(caller, 'p', { limit: 100 })).toMatchObject({ changes: [], has_more: false });
    const whole = await new ChangesService(repository).page(caller, 'p', { limit: 100 });
    expect(whole.changes).toHaveLength(8);
  });

  it('answers no 410 when a rebuild empties the events a cursor names between reading the watermarks and checking it', async () => {
    const watermarks = new Map([
      [0, 6n],
      [1, 3n],
    ]);
    const end = (await new ChangesService(repositoryOver(log, watermarks)).page(caller, 'p', { limit: 100 })).next_cursor;
    // The watermarks are read whole, then the rebuild empties them and run_events before the cursor is checked.
    const emptied = repositoryOver([], new Map());
    const reads = [Promise.resolve(watermarks), Promise.resolve(new Map<number, bigint>())];
    const service = new ChangesService({ ...emptied, watermarks: () => reads.shift() ?? Promise.resolve(new Map()) } as unknown as ChangesRepository);
    expect(await service.page(caller, 'p', { cursor: end, limit: 100 })).toEqual({ changes: [], next_cursor: end, has_more: false });
  });
});
