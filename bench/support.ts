import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}`))));
  });
}

export interface StartedServer {
  child: ChildProcess;
  match: RegExpMatchArray;
  /** Everything the process printed so far. */
  output: () => string;
}

/** Starts a server process and resolves once its output matches `ready`. */
export function startServer(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    let started = false;
    const onData = (chunk: Buffer) => {
      // Only the tail is kept once started: apps log a line per request under load.
      seen = started ? (seen + chunk.toString()).slice(-8_000) : seen + chunk.toString();
      const match = started ? null : seen.match(ready);
      if (match) {
        started = true;
        resolve({ child, match, output: () => seen });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command} exited ${code} before it was ready:\n${seen.slice(-2000)}`)));
  });
}

/** Peak resident set size of a live process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Linear interpolation between closest ranks (percentile_cont). */
export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * fraction;
  const low = Math.floor(rank);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (rank - low);
}

export function spread(values: number[]): string {
  return `${Math.min(...values)}–${Math.max(...values)}`;
}

/** What a directory holds on disk, in MB (du). */
export function directoryMb(path: string): number {
  return Number(execFileSync('du', ['-sm', path], { encoding: 'utf8' }).split('\t')[0]);
}

/** Space left for an unprivileged writer on the file system holding `path`, in MB. */
export function freeDiskMb(path: string): number {
  const stats = statfsSync(path);
  return Math.round((stats.bavail * stats.bsize) / 1024 / 1024);
}
