/**
 * `npm start`: the whole system on this machine.
 * - Kafka: the local KRaft broker from deploy/kafka/kafka.sh (unless KAFKA_BROKERS is set).
 * - Embedded chDB (default): ingest, materializer, query, control (Jobs API, scheduler) and the
 *   notifier (webhooks, Slack) in this one process, because chDB binds a data directory to a single process, and the runner
 *   agent for the local gateway next to them. With CLICKHOUSE_URL each app runs as its own
 *   process, as in production.
 * Ctrl-C stops the agent (its runs end cancelled) and writes first, lets the materializer drain
 * and commit, then stops the broker.
 */
import 'reflect-metadata';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { TokenService } from '@runstream/auth';
import { listenUrl } from '@runstream/http';
import { startAgent } from '../apps/agent/src/agent';
import { loadAgentConfig } from '../apps/agent/src/config';
import { loadControlConfig } from '../apps/control/src/config/control.config';
import { createControlApp } from '../apps/control/src/control.app';
import { loadIngestConfig } from '../apps/ingest/src/config/ingest.config';
import { createIngestApp } from '../apps/ingest/src/ingest.app';
import { loadMaterializerConfig } from '../apps/materializer/src/config/materializer.config';
import { createMaterializerApp } from '../apps/materializer/src/materializer.app';
import { loadNotifierConfig } from '../apps/notifier/src/config/notifier.config';
import { createNotifierApp } from '../apps/notifier/src/notifier.app';
import { loadQueryConfig } from '../apps/query/src/config/query.config';
import { createQueryApp } from '../apps/query/src/query.app';

const root = join(__dirname, '..', '..');
const kafkaScript = join(root, 'deploy', 'kafka', 'kafka.sh');
const logger = new Logger('local');

type Stop = () => Promise<void>;

function startKafka(): Stop | undefined {
  if (process.env.KAFKA_BROKERS) {
    logger.log(`using Kafka at ${process.env.KAFKA_BROKERS}`);
    return undefined;
  }
  execFileSync(kafkaScript, ['start'], { stdio: 'inherit' });
  process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
  return async () => void execFileSync(kafkaScript, ['stop'], { stdio: 'inherit' });
}

async function startInProcess(): Promise<Stop> {
  process.env.CLICKHOUSE_PATH ??= join(root, '.data', 'chdb');
  // Local development: webhooks may go to receivers on this machine, for the notifier and the
  // Jobs API's test event alike (never set this where they can reach internal services).
  process.env.NOTIFIER_ALLOW_PRIVATE_URLS ??= 'true';
  const ingestConfig = loadIngestConfig({ ...process.env, INGEST_QUERY_URL: localQueryUrl() });
  const queryConfig = loadQueryConfig({ ...process.env, PORT: process.env.QUERY_PORT ?? '3001', QUERY_CONTROL_URL: localControlUrl() });
  const ingest = await createIngestApp(ingestConfig, false);
  const ingestUrl = await listenUrl(ingest, ingestConfig.http.port, ingestConfig.http.host);
  const materializer: INestApplicationContext = await createMaterializerApp(loadMaterializerConfig(), process.env.LOG_LEVEL, false);
  const query = await createQueryApp(queryConfig, false);
  const queryUrl = await listenUrl(query, queryConfig.http.port, queryConfig.http.host);
  const controlConfig = loadControlConfig({ ...process.env, PORT: process.env.CONTROL_PORT ?? '3003' });
  const control = await createControlApp(controlConfig, false);
  const controlUrl = await listenUrl(control, controlConfig.http.port, controlConfig.http.host);
  const notifier = await createNotifierApp(loadNotifierConfig(), process.env.LOG_LEVEL, false);
  const tokens = await localTokens(ingest.get(TokenService), join(dirname(ingestConfig.clickhouse.path), 'local-tokens.json'));
  const agent = startAgent(loadAgentConfig({ ...process.env, RUNSTREAM_INGEST_URL: ingestUrl, RUNSTREAM_GATEWAY_TOKEN: tokens.gateway.token }));
  logger.log(`ingest (write API): ${ingestUrl}`);
  logger.log(`query (read API):   ${queryUrl}  (web app: ${queryUrl}/)`);
  if (queryConfig.sql.port >= 0)
    logger.log(`BI SQL (ClickHouse HTTP): http://${queryConfig.http.host}:${queryConfig.sql.port} (user local, password the user token)`);
  const kubernetes = controlConfig.kubernetes;
  logger.log(
    `control (Jobs API): ${controlUrl}` +
      (kubernetes.mode === 'off'
        ? `, scheduler ${controlConfig.scheduler.enabled ? 'on' : 'off'}`
        : `, Kubernetes backend (${kubernetes.mode}${kubernetes.kubeconfigPath ? ` ${kubernetes.kubeconfigPath}` : ''}): CronJobs are the schedule, runs go to gateway ${kubernetes.gateway}`),
  );
  logger.log(`materializer: consuming, chDB at ${ingestConfig.clickhouse.path}`);
  logger.log(`notifier: webhooks and Slack alerts of job runs${process.env.NOTIFIER_ALLOW_PRIVATE_URLS === 'true' ? ' (local receivers allowed)' : ''}`);
  logger.log(`agent: running jobs for gateway ${tokens.gateway.gateway}${process.env.AGENT_PATH ? ` (AGENT_PATH ${process.env.AGENT_PATH})` : ''}`);
  logger.log(`user token (org ${tokens.user.orgId}): ${tokens.user.token}`);
  logger.log(`gateway token (gateway ${tokens.gateway.gateway}): ${tokens.gateway.token}`);
  logger.log(`gateway token (gateway ${tokens.demoGateway.gateway}, which no agent polls): ${tokens.demoGateway.token}`);
  logger.log(`tokens are kept next to the chDB directory, for this machine's local mode only`);
  // In order, each step whatever the one before it did: the materializer's last flush and commit must still run.
  return async () => {
    const failed: string[] = [];
    for (const [name, stop] of [
      ['agent', () => agent.stop()],
      ['control', () => control.close()],
      ['ingest', () => ingest.close()],
      ['notifier', () => notifier.close()],
      ['materializer', () => materializer.close()],
      ['query', () => query.close()],
    ] as const) {
      await stop().catch((error: unknown) => {
        failed.push(name);
        logger.error(`stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    // Told to the caller, which still stops Kafka and then exits 1.
    if (failed.length > 0) throw new Error(`${failed.join(', ')} did not stop cleanly`);
  };
}

interface LocalTokens {
  user: { orgId: string; token: string };
  /** The gateway the local agent polls. */
  gateway: { gateway: string; token: string };
  /** A gateway no agent polls: the README's claim example works its runs by hand. */
  demoGateway: { gateway: string; token: string };
}

/**
 * Local mode's convenience: a user token and two gateway tokens for org `local`, created on the
 * first start and kept in plain text next to the chDB directory (.data/local-tokens.json by
 * default) so curl examples work across restarts; one missing or no longer valid is made again.
 * Deployed apps never do this; they use `npm run tokens`.
 */
async function localTokens(service: TokenService, file: string): Promise<LocalTokens> {
  const saved = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as Partial<LocalTokens>;
  const valid = async (token: string | undefined) => token !== undefined && (await service.verify(token)) !== undefined;
  const gatewayToken = async (gateway: string, kept: LocalTokens['gateway'] | undefined) =>
    kept && (await valid(kept.token)) ? kept : { gateway, token: (await service.create({ orgId: 'local', name: gateway, kind: 'gateway', gateway })).token };
  const tokens: LocalTokens = {
    user:
      saved.user && (await valid(saved.user.token))
        ? saved.user
        : { orgId: 'local', token: (await service.create({ orgId: 'local', name: 'local-user', kind: 'user' })).token },
    gateway: await gatewayToken('local-gateway', saved.gateway),
    demoGateway: await gatewayToken('demo-gateway', saved.demoGateway),
  };
  if (JSON.stringify(tokens) !== JSON.stringify(saved)) writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return tokens;
}

/** Where ingest forwards GET /api/elt/runs/:id: QUERY_PORT moves it, unless INGEST_QUERY_URL says otherwise. */
function localQueryUrl(): string {
  return process.env.INGEST_QUERY_URL ?? `http://127.0.0.1:${process.env.QUERY_PORT ?? '3001'}`;
}

/** Where the web app's Jobs pages reach the control app: CONTROL_PORT moves it, unless QUERY_CONTROL_URL says otherwise. */
function localControlUrl(): string {
  return process.env.QUERY_CONTROL_URL ?? `http://127.0.0.1:${process.env.CONTROL_PORT ?? '3003'}`;
}

function startProcesses(): Stop {
  const apps: [string, NodeJS.ProcessEnv][] = [
    ['ingest', { INGEST_QUERY_URL: localQueryUrl() }],
    ['materializer', {}],
    ['query', { PORT: process.env.QUERY_PORT ?? '3001', QUERY_CONTROL_URL: localControlUrl() }],
    ['control', { PORT: process.env.CONTROL_PORT ?? '3003' }],
    ['notifier', {}],
  ];
  const children: ChildProcess[] = apps.map(([name, env]) =>
    spawn(process.execPath, [join(__dirname, '..', 'apps', name, 'src', 'main.js')], { stdio: 'inherit', env: { ...process.env, ...env } }),
  );
  logger.log(
    `ingest, materializer, query, control and notifier started as processes against ${withoutCredentials(process.env.CLICKHOUSE_URL ?? '')}; start agents with npm run agent`,
  );
  return async () => {
    for (const child of children) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
}

async function main(): Promise<void> {
  // A terminal reads Nest's lines more easily than six apps' JSON; LOG_FORMAT=json to see what production logs.
  process.env.LOG_FORMAT ??= 'text';
  const stopKafka = startKafka();
  const stopApps = process.env.CLICKHOUSE_URL ? startProcesses() : await startInProcess();
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log('stopping: agent and control, ingest, the notifier, then materializer (drain and commit), then query and Kafka');
    let failed = false;
    try {
      await stopApps();
    } catch (error) {
      failed = true;
      logger.error(`stopping the apps failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // The broker is stopped even when an app did not stop cleanly.
    await stopKafka?.().catch((error: unknown) => {
      failed = true;
      logger.error(`stopping Kafka failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/** A URL fit for a log line: its user and password replaced. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) [parsed.username, parsed.password] = ['***', ''];
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
