import { loadMaterializerConfig } from './materializer.config';

describe('loadMaterializerConfig', () => {
  it('opens one chDB session unless CLICKHOUSE_EMBEDDED_SESSIONS says', () => {
    expect(loadMaterializerConfig({}).clickhouse.sessions).toBe(1);
    expect(loadMaterializerConfig({ CLICKHOUSE_EMBEDDED_SESSIONS: '3' }).clickhouse.sessions).toBe(3);
  });
});
