import { join } from 'node:path';
import { encodeEvent, RunEventEnvelope, uuidv7 } from '@runstream/events';
import { createKafka, KafkajsPublisher } from '@runstream/kafka';
import { eventually, http, REPO_ROOT } from '@runstream/testing';
import { RunningAgent, startAgent } from '../../apps/agent/src/agent';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { bearer, startStack, Stack } from '../support/stack';

/**
 * The agent against an ingest whose per-token budget is far below what a chatty program
 * produces: polls, claims and PATCHes get 429 with Retry-After, and still every line and the
 * final status arrive, in few log entries (batched), without the agent giving up.
 */
describe('runner agent under a tight rate limit', () => {
  let stack: Stack;
  let agent: RunningAgent | undefined;
  const logged: string[] = [];

  beforeAll(async () => {
    stack = await startStack('agent-retries', { RATE_LIMIT_PER_SECOND: '3', RATE_LIMIT_BURST: '3' });
  });

  afterAll(async () => {
    await agent?.stop();
    await stack?.close();
  });

  it('delivers all 2,000 lines of a chatty program and its final status', async () => {
    const config = loadIngestConfig(stack.env);
    const publisher = new KafkajsPublisher(createKafka(config.kafka));
    await publisher.connect();
    const runId = `run_${uuidv7().replace(/-/g, '')}`;
    const event = {
      event_id: uuidv7(),
      type: 'run.created',
      schema_version: 1,
      org_id: stack.orgId,
      project_id: 'proj_agent',
      run_id: runId,
      occurred_at: new Date().toISOString(),
      actor: 'control',
      payload: { job_id: 'job_chatty', job_name: 'proj_agent-chatty', cronjob_name: '', namespace: '', job_type: 'run', triggered_by: 'manual', target_gateway: 'gw-1', command_argv: ['dbt', 'build', '--select', 'chatty'] },
    } as RunEventEnvelope<'run.created'>;
    await publisher.publish(config.kafka.topics.events, [{ key: runId, value: encodeEvent(event) }]);
    await publisher.disconnect();

    agent = startAgent(
      { ingestUrl: stack.ingestUrl, gatewayToken: stack.tokens.gateway, concurrency: 2, pollIntervalMs: 100, heartbeatMs: 200, logFlushMs: 50, extraPath: join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'bin'), inheritEnv: [], killGraceMs: 3_000, shutdownReportMs: 10_000 },
      { logger: { log: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) } },
    );
    const run = await eventually(async () => {
      const answer = await http<{ status: string; logEntries: { message: string }[] }>('GET', `${stack.queryUrl}/api/elt/runs/${runId}`, undefined, bearer(stack.tokens.user));
      return answer.body.status === 'success' ? answer.body : undefined;
    }, `the chatty run to succeed (agent said: ${logged.slice(-3).join(' | ')})`, 90_000, 250);

    const lines = run.logEntries.flatMap((entry) => entry.message.split('\n'));
    const chatty = lines.filter((line) => / chatty line \d+ of 2000$/.test(line));
    expect(chatty).toHaveLength(2000);
    expect(new Set(chatty.map((line) => line.replace(/^\S+\s+/, ''))).size).toBe(2000); // each once, none twice
    expect(lines[lines.length - 1]).toMatch(/Done\. PASS=4/);
    // 2,000 lines of ~35 characters in entries of up to 10,000: a handful of PATCHes, not 2,000.
    expect(run.logEntries.length).toBeLessThan(40);
    // The budget was really exceeded: ingest refused some requests and the agent came back.
    expect(logged.some((line) => line.includes('429'))).toBe(true);
  });
});
