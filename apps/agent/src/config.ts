import { readFileSync } from 'node:fs';
import { ConfigError, loadEnv } from '@runstream/config';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

class AgentEnv {
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'RUNSTREAM_INGEST_URL must be an http(s) URL' })
  RUNSTREAM_INGEST_URL = 'http://127.0.0.1:3000';

  /** A gateway token (`npm run tokens -- create --org acme --name gw --gateway gw-1`). */
  @IsOptional()
  @IsString()
  RUNSTREAM_GATEWAY_TOKEN?: string;

  /** A file holding the token: plain text, or JSON like .data/local-tokens.json ({ gateway: { token } }). */
  @IsOptional()
  @IsString()
  RUNSTREAM_GATEWAY_TOKEN_FILE?: string;

  /** Runs executed at the same time. */
  @IsInt()
  @Min(1)
  @Max(64)
  AGENT_CONCURRENCY: number = 2;

  /** Pause between polls while a slot is free and nothing was found. */
  @IsInt()
  @Min(100)
  @Max(300_000)
  AGENT_POLL_INTERVAL_MS: number = 2_000;

  /** A PATCH per running run at least this often: keep it at most a quarter of the control plane's lease (CONTROL_RUN_LEASE_MS, 60 s by default). */
  @IsInt()
  @Min(100)
  @Max(300_000)
  AGENT_HEARTBEAT_MS: number = 15_000;

  /** Output lines arriving within this window become one appendLog message. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  AGENT_LOG_FLUSH_MS: number = 250;

  /** Prepended to the PATH children are looked up on (and inherit), e.g. a virtualenv's bin. */
  @IsOptional()
  @IsString()
  AGENT_PATH?: string;

  /** Extra variable names (comma-separated) the children inherit from the agent's environment. */
  @IsOptional()
  @IsString()
  AGENT_INHERIT_ENV?: string;

  /** After SIGTERM, how long a child has before SIGKILL. */
  @IsInt()
  @Min(0)
  @Max(600_000)
  AGENT_KILL_GRACE_MS: number = 10_000;

  /** Longest one run's program may run before it is stopped and the run fails (0: no limit). */
  @IsInt()
  @Min(0)
  // A timer's longest delay (2^31 - 1 ms, ~24.8 days): Node fires a longer one at once.
  @Max(2_147_483)
  AGENT_MAX_RUN_SECONDS: number = 86_400;

  /** How long one claim is retried (same claimId) before it counts as undecided, then asked again at each poll. */
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  AGENT_CLAIM_RETRY_MS: number = 60_000;

  /** On shutdown, how long final reports may keep retrying while ingest is unreachable. */
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  AGENT_SHUTDOWN_REPORT_MS: number = 60_000;
}

export interface AgentConfig {
  ingestUrl: string;
  gatewayToken: string;
  concurrency: number;
  pollIntervalMs: number;
  heartbeatMs: number;
  logFlushMs: number;
  /** Directories (PATH syntax) put in front of the inherited PATH. */
  extraPath?: string;
  /** Names beyond the default list that children inherit. */
  inheritEnv: string[];
  killGraceMs: number;
  maxRunSeconds: number;
  shutdownReportMs: number;
  /** Default 60 s (AGENT_CLAIM_RETRY_MS). */
  claimRetryMs?: number;
}

/** The token from the env, or from a plain-text or local-tokens.json file. */
function readToken(env: AgentEnv): string {
  if (env.RUNSTREAM_GATEWAY_TOKEN) return env.RUNSTREAM_GATEWAY_TOKEN.trim();
  const file = env.RUNSTREAM_GATEWAY_TOKEN_FILE;
  if (!file) throw new ConfigError(['RUNSTREAM_GATEWAY_TOKEN (or RUNSTREAM_GATEWAY_TOKEN_FILE) is required']);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([`RUNSTREAM_GATEWAY_TOKEN_FILE: cannot read ${file} (${(error as Error).message})`]);
  }
  if (!text.startsWith('{')) return text;
  const parsed = JSON.parse(text) as { gateway?: { token?: unknown }; token?: unknown };
  const token = parsed.gateway?.token ?? parsed.token;
  if (typeof token !== 'string' || token === '') throw new ConfigError([`RUNSTREAM_GATEWAY_TOKEN_FILE: ${file} has no gateway.token`]);
  return token;
}

export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const { agent } = loadEnv({ agent: AgentEnv }, env);
  return {
    ingestUrl: agent.RUNSTREAM_INGEST_URL.replace(/\/+$/, ''),
    gatewayToken: readToken(agent),
    concurrency: agent.AGENT_CONCURRENCY,
    pollIntervalMs: agent.AGENT_POLL_INTERVAL_MS,
    heartbeatMs: agent.AGENT_HEARTBEAT_MS,
    logFlushMs: agent.AGENT_LOG_FLUSH_MS,
    extraPath: agent.AGENT_PATH,
    inheritEnv: (agent.AGENT_INHERIT_ENV ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    killGraceMs: agent.AGENT_KILL_GRACE_MS,
    maxRunSeconds: agent.AGENT_MAX_RUN_SECONDS,
    shutdownReportMs: agent.AGENT_SHUTDOWN_REPORT_MS,
    claimRetryMs: agent.AGENT_CLAIM_RETRY_MS,
  };
}
