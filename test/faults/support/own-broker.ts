import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@runstream/testing';
import { freePort, freePortPair } from './ports';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'deploy', 'kafka', 'kafka.sh');

/** True when deploy/kafka/kafka.sh can run a broker here: Java, and the jars cached or Maven to fetch them. */
export function localBrokerAvailable(): boolean {
  const has = (command: string): boolean => spawnSync(command, ['-version'], { timeout: 10_000 }).status === 0;
  const version = process.env.KAFKA_VERSION ?? '4.4.0';
  return has('java') && (existsSync(join(REPO_ROOT, 'deploy', 'kafka', '.cache', version, 'libs', '.complete')) || has('mvn'));
}

/**
 * A KRaft broker of this test's own (deploy/kafka/kafka.sh with a private KAFKA_HOME and port),
 * so it can be killed without touching the broker other tests use. Started asynchronously: the
 * load keeps running while the broker comes back.
 */
export class OwnBroker {
  private constructor(
    readonly port: number,
    readonly home: string,
    private readonly extraEnv: NodeJS.ProcessEnv,
  ) {}

  /** `sasl_ssl`: clients speak TLS + SASL (kafka.sh KAFKA_SECURITY); the CA is at caFile. */
  static async create(security: 'plaintext' | 'sasl_ssl' = 'plaintext'): Promise<OwnBroker> {
    const extraEnv: NodeJS.ProcessEnv = security === 'sasl_ssl' ? { KAFKA_SECURITY: 'sasl_ssl', KAFKA_INTERNAL_PORT: String(await freePort()) } : {};
    return new OwnBroker(await freePortPair(), mkdtempSync(join(tmpdir(), 'runstream-faults-kafka-')), extraEnv);
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The local CA that signed a sasl_ssl broker's certificate. */
  get caFile(): string {
    return join(this.home, 'tls', 'ca.pem');
  }

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, KAFKA_PORT: String(this.port), KAFKA_HOME: this.home, ...this.extraEnv };
  }

  /** Starts the broker on its data (formatted on the first start) and waits until it answers. */
  async start(): Promise<void> {
    await run(SCRIPT, ['start'], { env: this.env });
  }

  pid(): number | undefined {
    const file = join(this.home, 'broker.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  }

  /** kill -9 the broker and wait until its process is gone (its port is then free again). */
  async kill9(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) throw new Error('own broker has no pid file');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && alive(pid); i += 1) await sleep(50);
    if (alive(pid)) throw new Error(`broker ${pid} still alive 10 s after SIGKILL`);
  }

  async close(): Promise<void> {
    await run(SCRIPT, ['stop'], { env: this.env }).catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
