import { ExecutionResult } from './execution';

/** Most of an errorSummary given to the program's last lines. */
export const MAX_TAIL_CHARS = 2_000;

/** The last lines of a stream, at most `max` characters, for an errorSummary. */
export class Tail {
  private lines: string[] = [];
  private chars = 0;

  constructor(private readonly max: number = MAX_TAIL_CHARS) {}

  push(line: string): void {
    if (line.trim() === '') return;
    const kept = line.length > this.max ? lastChars(line, this.max) : line;
    this.lines.push(kept);
    this.chars += kept.length + 1;
    while (this.chars > this.max + 1 && this.lines.length > 1) this.chars -= (this.lines.shift() as string).length + 1;
  }

  text(): string {
    return this.lines.join('\n');
  }
}

/** The last `max` UTF-16 units of `line`, never starting inside a surrogate pair (ingest refuses half a character). */
function lastChars(line: string, max: number): string {
  const start = line.length - max;
  const code = line.charCodeAt(start);
  return line.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
}

export interface Outcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  errorSummary?: string;
  exitCode?: number;
}

/** Where a program was looked for, and what to do about it, by who looked. */
const NOT_FOUND = {
  agent: (path: string) => `the agent's PATH (${path}); install it there or set AGENT_PATH`,
  runner: (path: string) => `the runner image's PATH (${path}); install it in the image`,
} as const;

/** What a finished child means for its run. `tail` is the last stderr (or error) lines. */
export function outcomeOf(
  result: ExecutionResult,
  argv0: string,
  path: string | undefined,
  tail: string,
  stopReason: string | undefined,
  role: 'agent' | 'runner' = 'agent',
): Outcome {
  if (stopReason) return { status: 'cancelled', errorSummary: stopReason };
  const withTail = (head: string): string => (tail ? `${head}\n${tail}` : head);
  switch (result.kind) {
    case 'exited':
      return result.code === 0
        ? { status: 'succeeded', exitCode: 0 }
        : { status: 'failed', exitCode: result.code, errorSummary: withTail(`exited with code ${result.code}`) };
    case 'signalled':
      return { status: 'failed', errorSummary: withTail(`killed by signal ${result.signal}`) };
    case 'spawn-failed':
      if (result.code === 'ENOENT') return { status: 'failed', errorSummary: `${argv0}: command not found on ${NOT_FOUND[role](path ?? '')}` };
      if (result.code === 'EACCES') return { status: 'failed', errorSummary: `${argv0}: permission denied (not executable by the ${role}'s user)` };
      return { status: 'failed', errorSummary: `${argv0}: could not start (${result.code}: ${result.message})` };
  }
}
