import { ClickHouseStore } from '@runstream/clickhouse';
import { IngestConfig } from '../config/ingest.config';
import { MAX_POLLED_MISSES_PER_ORG, RunDirectory } from './run-directory';

/** A read model that holds no run: counts the lookups of each run id. */
function emptyReadModel(): { store: ClickHouseStore; lookups: Map<string, number> } {
  const lookups = new Map<string, number>();
  const store = {
    query: async (_schema: unknown, _sql: string, params: Record<string, unknown>) => {
      const id = String(params.id);
      lookups.set(id, (lookups.get(id) ?? 0) + 1);
      return [];
    },
  } as unknown as ClickHouseStore;
  return { store, lookups };
}

describe('RunDirectory misses', () => {
  const config = { runLookupWaitMs: 300 } as IngestConfig;

  it('shares one poll among concurrent writes to one run not (yet) in the read model', async () => {
    const { store, lookups } = emptyReadModel();
    const directory = new RunDirectory(store, config);
    const alone = await directory.find('org', 'run_alone');
    expect(alone).toBeUndefined();
    const together = await Promise.all(Array.from({ length: 10 }, () => directory.find('org', 'run_shared')));
    expect(together.every((run) => run === undefined)).toBe(true);
    expect(lookups.get('run_shared')).toBeLessThanOrEqual((lookups.get('run_alone') ?? 0) + 1);
  });

  it('polls at most MAX_POLLED_MISSES_PER_ORG misses of one organisation at once; the others are looked up once', async () => {
    const { store, lookups } = emptyReadModel();
    const directory = new RunDirectory(store, config);
    const ids = Array.from({ length: MAX_POLLED_MISSES_PER_ORG + 8 }, (_, i) => `run_${i}`);
    await Promise.all([...ids.map((id) => directory.find('org', id)), directory.find('other_org', 'run_elsewhere')]);
    expect(ids.filter((id) => lookups.get(id) === 1)).toHaveLength(8);
    expect(ids.slice(0, MAX_POLLED_MISSES_PER_ORG).every((id) => (lookups.get(id) ?? 0) > 1)).toBe(true);
    // Another organisation's misses are polled as usual.
    expect(lookups.get('run_elsewhere')).toBeGreaterThan(1);
  });
});
