import { ConfigError } from '@runstream/config';
import { loadAgentConfig } from './config';

describe('loadAgentConfig', () => {
  it('has the documented defaults', () => {
    expect(loadAgentConfig({ RUNSTREAM_GATEWAY_TOKEN: 'rst_x' })).toEqual({
      ingestUrl: 'http://127.0.0.1:3000',
      gatewayToken: 'rst_x',
      concurrency: 2,
      pollIntervalMs: 2_000,
      heartbeatMs: 15_000,
      logFlushMs: 250,
      extraPath: undefined,
      inheritEnv: [],
      killGraceMs: 10_000,
      maxRunSeconds: 86_400,
      shutdownReportMs: 60_000,
      claimRetryMs: 60_000,
    });
  });

  it('needs a token and names every bad variable', () => {
    expect(() => loadAgentConfig({})).toThrow(/RUNSTREAM_GATEWAY_TOKEN/);
    let error: unknown;
    try {
      loadAgentConfig({ RUNSTREAM_GATEWAY_TOKEN: 'rst_x', RUNSTREAM_INGEST_URL: 'ingest:3000', AGENT_CONCURRENCY: '0', AGENT_HEARTBEAT_MS: 'often' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join(' ')).toMatch(/RUNSTREAM_INGEST_URL.*AGENT_CONCURRENCY.*AGENT_HEARTBEAT_MS/);
  });

  it('reads the URL without a trailing slash and the inherit list', () => {
    const config = loadAgentConfig({
      RUNSTREAM_GATEWAY_TOKEN: 'rst_x',
      RUNSTREAM_INGEST_URL: 'https://ingest.example.com/',
      AGENT_INHERIT_ENV: 'DBT_PROFILES_DIR, GOOGLE_APPLICATION_CREDENTIALS,',
    });
    expect(config.ingestUrl).toBe('https://ingest.example.com');
    expect(config.inheritEnv).toEqual(['DBT_PROFILES_DIR', 'GOOGLE_APPLICATION_CREDENTIALS']);
  });
});
