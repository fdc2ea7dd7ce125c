import { loadMaterializerConfig } from './materializer.config';

describe('loadMaterializerConfig', () => {
  it('opens one chDB session unless CLICKHOUSE_EMBEDDED_SESSIONS says', () => {
    expect(loadMaterializerConfig({}).clickhouse.sessions).toBe(1);
    expect(loadMaterializerConfig({ CLICKHOUSE_EMBEDDED_SESSIONS: '3' }).clickhouse.sessions).toBe(3);
  });

  it('turns off insert deduplication on a cluster, where a rebuild replaying an unchanged log would lose rows', () => {
    expect(loadMaterializerConfig({}).clickhouse.insertSettings).toEqual({});
    expect(loadMaterializerConfig({ CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_CLUSTER: 'rs' }).clickhouse.insertSettings).toEqual({
      insert_deduplicate: 0,
    });
  });
});
