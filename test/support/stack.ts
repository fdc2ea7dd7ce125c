import { INestApplicationContext } from '@nestjs/common';
import { TokenService } from '@runstream/auth';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { listenUrl } from '@runstream/http';
import { isolatedEnv } from '@runstream/testing';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { loadMaterializerConfig } from '../../apps/materializer/src/config/materializer.config';
import { createMaterializerApp } from '../../apps/materializer/src/materializer.app';
import { loadQueryConfig } from '../../apps/query/src/config/query.config';
import { createQueryApp } from '../../apps/query/src/query.app';

export interface StackTokens {
  /** User token of the stack's organisation. */
  user: string;
  /** User token of another organisation (tenant isolation). */
  otherOrg: string;
  /** Gateway tokens of the stack's organisation, for gateways gw-1 and gw-2. */
  gateway: string;
  otherGateway: string;
}

export interface Stack {
  env: NodeJS.ProcessEnv;
  orgId: string;
  tokens: StackTokens;
  tokenService: TokenService;
  ingestUrl: string;
  queryUrl: string;
  materializer: INestApplicationContext;
  close(): Promise<void>;
}

/**
 * All three apps in this process, the way local mode runs them: real Kafka, real
 * ClickHouse (chDB shares one data directory between the apps of a process).
 */
export async function startStack(name: string, overrides: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const env: NodeJS.ProcessEnv = { ...isolatedEnv(name), ...overrides };
  // The query app first: ingest forwards GET /api/elt/runs/:id to it (INGEST_QUERY_URL).
  const query = await createQueryApp(loadQueryConfig(env), false);
  const queryUrl = await listenUrl(query, 0, '127.0.0.1');
  env.INGEST_QUERY_URL ??= queryUrl;
  const ingest: NestFastifyApplication = await createIngestApp(loadIngestConfig(env), false);
  const ingestUrl = await listenUrl(ingest, 0, '127.0.0.1');
  const materializer = await createMaterializerApp(loadMaterializerConfig(env), env.LOG_LEVEL, false);
  const tokenService = ingest.get(TokenService);
  const orgId = `org_${(env.CLICKHOUSE_DATABASE ?? '').slice(-8)}`;
  const tokens: StackTokens = {
    user: (await tokenService.create({ orgId, name: 'test-user', kind: 'user' })).token,
    otherOrg: (await tokenService.create({ orgId: `${orgId}_other`, name: 'other-org', kind: 'user' })).token,
    gateway: (await tokenService.create({ orgId, name: 'gw-1', kind: 'gateway', gateway: 'gw-1' })).token,
    otherGateway: (await tokenService.create({ orgId, name: 'gw-2', kind: 'gateway', gateway: 'gw-2' })).token,
  };
  return {
    env,
    orgId,
    tokens,
    tokenService,
    ingestUrl,
    queryUrl,
    materializer,
    close: async () => {
      await ingest.close();
      await materializer.close(); // a no-op when a test already closed it
      await query.close();
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
