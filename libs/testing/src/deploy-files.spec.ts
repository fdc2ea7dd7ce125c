/**
 * The container files, checked without a Docker engine: deploy/compose/compose.yaml, the
 * Dockerfile, .dockerignore and deploy/docker/{entrypoint.sh,healthcheck.js}. Every service
 * of the compose file must be startable by the entrypoint, configured only with variables the
 * apps read (and valid for them), probed on the port the app listens on, and ordered after
 * the store, the log and `setup`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadAgentConfig } from '../../../apps/agent/src/config';
import { loadControlConfig } from '../../../apps/control/src/config/control.config';
import { loadIngestConfig } from '../../../apps/ingest/src/config/ingest.config';
import { loadMaterializerConfig } from '../../../apps/materializer/src/config/materializer.config';
import { loadNotifierConfig } from '../../../apps/notifier/src/config/notifier.config';
import { loadQueryConfig } from '../../../apps/query/src/config/query.config';
import { REPO_ROOT } from './infra';

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  profiles?: string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the plain-JS healthcheck, loaded as the container runs it
const HealthCheck = require(join(REPO_ROOT, 'deploy/docker/healthcheck.js')) as {
  healthTarget(app: string, env: NodeJS.ProcessEnv): { host?: string; port?: number; url?: string; process?: boolean; skip?: boolean } | undefined;
  runningApps(procDir: string): string[];
};

const COMPOSE_DIR = join(REPO_ROOT, 'deploy/compose');
const ENTRYPOINT = join(REPO_ROOT, 'deploy/docker/entrypoint.sh');
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

/** compose.yaml with merge keys resolved and `${VAR:-default}` replaced by its default, as compose does with no .env. */
function composeFile(): { services: Record<string, Service> } {
  const text = readFileSync(join(COMPOSE_DIR, 'compose.yaml'), 'utf8').replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
  return parse(text, { merge: true }) as { services: Record<string, Service> };
}

/** The commands the entrypoint's `case` accepts. */
function entrypointCommands(): string[] {
  return [...readFileSync(ENTRYPOINT, 'utf8').matchAll(/^\s+([a-z|]+)\)\s*$/gm)].flatMap((match) => match[1].split('|'));
}

/** Every env var name an env class of apps/ or libs/ declares (property names are the variable names). */
function declaredEnvNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path);
      else if (entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name)) {
        const source = readFileSync(path, 'utf8');
        if (!/class \w*Env\b/.test(source)) continue;
        for (const match of source.matchAll(/^\s+(?:override\s+)?([A-Z][A-Z0-9_]+)(?:[?!]?:|\s*=)/gm)) names.add(match[1]);
      }
    }
  };
  walk(join(REPO_ROOT, 'apps'));
  walk(join(REPO_ROOT, 'libs'));
  return names;
}

const envOf = (service: Service): NodeJS.ProcessEnv =>
  // compose passes an empty value (`KEY: ${X:-}`, YAML null) as the empty string.
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]));

/** The HTTP port each app listens on for its configuration, read by the app's own config loader. */
const LISTEN: Record<string, (env: NodeJS.ProcessEnv) => { host: string; port: number }> = {
  ingest: (env) => loadIngestConfig(env).http,
  query: (env) => loadQueryConfig(env).http,
  control: (env) => loadControlConfig(env).http,
  materializer: (env) => loadMaterializerConfig(env).metrics,
  notifier: (env) => loadNotifierConfig(env).metrics,
};
const APPS = [...Object.keys(LISTEN), 'agent'];

describe('deploy/compose/compose.yaml', () => {
  const { services } = composeFile();
  const ours = Object.entries(services).filter(([, service]) => service.build !== undefined);

  it('runs setup and every app from the one image built from the repository Dockerfile', () => {
    expect(ours.map(([name]) => name).sort()).toEqual([...APPS, 'setup'].sort());
    const images = new Set(ours.map(([, service]) => JSON.stringify({ image: service.image, build: service.build })));
    expect(images.size).toBe(1);
    const build = ours[0][1].build!;
    expect(resolve(COMPOSE_DIR, build.context)).toBe(resolve(REPO_ROOT));
    expect(existsSync(join(REPO_ROOT, build.dockerfile ?? 'Dockerfile'))).toBe(true);
  });

  it('starts each service with a command the entrypoint accepts: the app named like the service, migrate for setup', () => {
    const accepted = entrypointCommands();
    for (const [name, service] of ours) {
      expect(accepted).toContain(service.command?.[0]);
      expect(service.command).toEqual([name === 'setup' ? 'migrate' : name]);
    }
  });

  it('orders the apps after a healthy Kafka and ClickHouse and a completed setup; every dependency exists', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const target of Object.keys(service.depends_on ?? {})) expect({ name, target, exists: target in services }).toEqual({ name, target, exists: true });
    }
    for (const name of ['kafka', 'clickhouse']) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    for (const name of Object.keys(LISTEN)) {
      expect(services[name].depends_on).toEqual({
        kafka: { condition: 'service_healthy' },
        clickhouse: { condition: 'service_healthy' },
        setup: { condition: 'service_completed_successfully' },
      });
    }
    expect(services.setup.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, clickhouse: { condition: 'service_healthy' } });
    expect(services.agent.depends_on).toEqual({ ingest: { condition: 'service_healthy' } });
    expect(services.agent.profiles).toEqual(['agent']);
  });

  it('sets only variables the apps declare', () => {
    const declared = declaredEnvNames();
    expect(declared.has('KAFKA_BROKERS') && declared.has('RUNSTREAM_GATEWAY_TOKEN') && declared.has('PORT')).toBe(true);
    for (const [name, service] of ours) {
      const unknown = Object.keys(service.environment ?? {}).filter((key) => !declared.has(key));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  it('gives each app a valid configuration on all interfaces, probed and published on the port it listens on', () => {
    for (const [app, listen] of Object.entries(LISTEN)) {
      const env = envOf(services[app]);
      const { host, port } = listen(env);
      expect({ app, host }).toEqual({ app, host: '0.0.0.0' });
      expect(HealthCheck.healthTarget(app, env)).toMatchObject({ host: '127.0.0.1', port });
      // The query app also serves BI tools SQL on its own port (docs/bi.md).
      const sqlPort = app === 'query' ? [loadQueryConfig(env).sql.port] : [];
      expect(services[app].ports?.map((mapping) => Number(mapping.split(':').pop()))).toEqual([port, ...sqlPort]);
    }
    expect(loadAgentConfig({ ...envOf(services.agent), RUNSTREAM_GATEWAY_TOKEN: 'rst_test' }).ingestUrl).toBe(
      `http://ingest:${loadIngestConfig(envOf(services.ingest)).http.port}`,
    );
  });
});

describe('deploy/docker', () => {
  it('has shell scripts that parse, and a healthcheck that node accepts', () => {
    for (const shell of ['bash', 'sh']) expect(spawnSync(shell, ['-n', ENTRYPOINT], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
    expect(spawnSync(process.execPath, ['--check', join(REPO_ROOT, 'deploy/docker/healthcheck.js')], { encoding: 'utf8' })).toMatchObject({
      status: 0,
      stderr: '',
    });
  });

  it('entrypoint: refuses a missing or unknown command with usage (64) before starting anything', () => {
    for (const args of [[], ['bogus']]) {
      const result = spawnSync('sh', [ENTRYPOINT, ...args], { encoding: 'utf8' });
      expect(result.status).toBe(64);
      expect(result.stderr).toContain('usage: entrypoint.sh ingest|materializer|query|control|notifier|agent|migrate|tokens');
    }
  });

  it('entrypoint: starts a script that the build produces for every command', () => {
    const source = readFileSync(ENTRYPOINT, 'utf8');
    // Each arm of the case: the commands it takes (`a|b)`) and the script it execs, `$app` standing for the command.
    const arms = [...source.matchAll(/^\s+([\w|]+)\)\n(?:.*\n)*?.*\/app\/dist\/(\S+?)\.js/gm)].map((match) => ({
      commands: match[1].split('|'),
      target: match[2],
    }));
    expect(arms.length).toBeGreaterThan(0);
    expect(arms.find((arm) => arm.target.startsWith('apps/'))?.commands.sort()).toEqual([...APPS].sort());
    for (const { commands, target } of arms) {
      const sources = target.includes('$app') ? commands.map((command) => target.replace('$app', command)) : [target];
      for (const file of sources) expect({ file, exists: existsSync(join(REPO_ROOT, `${file}.ts`)) }).toEqual({ file, exists: true });
    }
  });

  it('healthcheck: finds the running app from process command lines', () => {
    const proc = mkdtempSync(join(tmpdir(), 'runstream-proc-'));
    try {
      const processes: Record<string, string> = {
        '1': 'docker-init\0--\0/app/deploy/docker/entrypoint.sh\0',
        '7': 'node\0/app/dist/apps/query/src/main.js\0',
        self: 'node\0/app/dist/apps/ingest/src/main.js\0',
      };
      for (const [pid, cmdline] of Object.entries(processes)) {
        mkdirSync(join(proc, pid));
        writeFileSync(join(proc, pid, 'cmdline'), cmdline);
      }
      expect(HealthCheck.runningApps(proc)).toEqual(['query']);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it('healthcheck: probes each app on its default port, trusts the agent process, skips one-shot commands', () => {
    expect(Object.fromEntries(Object.keys(LISTEN).map((app) => [app, HealthCheck.healthTarget(app, {})?.port]))).toEqual(
      Object.fromEntries(Object.entries(LISTEN).map(([app, listen]) => [app, listen({}).port])),
    );
    expect(HealthCheck.healthTarget('query', { PORT: '8080', HOST: '::' })).toMatchObject({ url: 'http://127.0.0.1:8080/health' });
    for (const app of ['agent', 'runner']) expect(HealthCheck.healthTarget(app, {})).toEqual({ process: true });
    for (const command of ['migrate', 'tokens', 'bi', 'rebuild']) expect(HealthCheck.healthTarget(command, {})).toEqual({ skip: true });
    expect(HealthCheck.healthTarget('bogus', {})).toBeUndefined();
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('runs as a non-root user, with production dependencies only, and a HEALTHCHECK through healthcheck.js', () => {
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0', 'root:root']).not.toContain(user);
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).not.toMatch(/npm ci(?! --omit=dev)/);
    expect(runtime).toMatch(/^HEALTHCHECK\b[\s\S]*deploy\/docker\/healthcheck\.js/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/app\/deploy\/docker\/entrypoint\.sh"\]/m);
    expect(runtime).toMatch(/^ENV[\s\S]*NODE_ENV=production[\s\S]*TZ=UTC/m);
  });

  it('copies only paths that exist and that .dockerignore keeps in the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const name of ['node_modules', 'dist', '.data', '.git', 'deploy/kafka/.cache', 'deploy/k8s-mock/.cache']) expect(ignored).toContain(name);
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((match) => match[1].split(/\s+/));
    expect(copied).toEqual(expect.arrayContaining(['package-lock.json', 'apps', 'libs', 'scripts']));
    for (const path of copied) {
      expect({ path, exists: existsSync(join(REPO_ROOT, path)) }).toEqual({ path, exists: true });
      const hiddenBy = ignored.filter((pattern) => path === pattern || relative(pattern, path).split('/')[0] !== '..');
      expect({ path, hiddenBy }).toEqual({ path, hiddenBy: [] });
    }
  });
});
