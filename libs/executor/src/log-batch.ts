import type { LogLevel } from '@runstream/events';

/** Ingest's limit for one appendLog message. */
export const MAX_MESSAGE_CHARS = 10_000;
/**
 * Messages waiting for ingest per run. The run keeps only its newest 500 lines anyway, so when
 * a program writes faster than ingest accepts, the oldest waiting messages are dropped first.
 */
export const MAX_QUEUED_MESSAGES = 500;
/**
 * Characters of output held between two seals: what the queued messages could hold. A program
 * writing faster than that within one flush interval has its oldest lines dropped first.
 */
const MAX_UNSEALED_CHARS = MAX_QUEUED_MESSAGES * MAX_MESSAGE_CHARS;

export interface LogMessage {
  level: LogLevel;
  message: string;
}

/** Error summaries ("ERROR=0", "0 errors") that say nothing went wrong. */
const ZERO_COUNTS = /\b(?:ERROR|ERRORS|FAIL)=0\b|(?<!=)\b0 errors?\b/gi;
const ERROR_WORDS = /\b(?:error|errors|fatal|traceback|exception)\b|"level"\s*:\s*"error"/i;
/** dbt's "N of M FAIL ..." (a failing test) is an error although it does not say so. */
const DBT_FAIL = /^(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+)?\d+ of \d+ (?:FAIL|ERROR)\b/;

/**
 * stdout → info, stderr → warn (Python tools write warnings and progress there, not only
 * failures), and a line of either stream that reports an error (dbt's "Database Error in
 * model x", "Completed with 1 error", "ERROR=1", "N of M FAIL", a traceback) → error.
 */
export function lineLevel(stream: 'stdout' | 'stderr', line: string): LogLevel {
  if (DBT_FAIL.test(line) || ERROR_WORDS.test(line.replace(ZERO_COUNTS, ''))) return 'error';
  return stream === 'stderr' ? 'warn' : 'info';
}

/** Cuts text into pieces of at most `max` UTF-16 units without splitting a surrogate pair. */
export function splitText(text: string, max: number = MAX_MESSAGE_CHARS): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    let end = start + max;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && max > 1) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/**
 * Joins consecutive lines of one level with "\n" into messages of at most `max` characters;
 * a line longer than that becomes several messages. Order is kept.
 */
export function packLines(lines: readonly LogMessage[], max: number = MAX_MESSAGE_CHARS): LogMessage[] {
  const messages: LogMessage[] = [];
  let current: LogMessage | undefined;
  for (const line of lines) {
    for (const piece of splitText(line.message, max)) {
      if (current && current.level === line.level && current.message.length + 1 + piece.length <= max) {
        current.message += `\n${piece}`;
      } else {
        current = { level: line.level, message: piece };
        messages.push(current);
      }
    }
  }
  return messages.filter((m) => m.message.trim() !== '');
}

/** One run's output between flushes, and the messages made from it that ingest has not taken yet. */
export class LogBuffer {
  private lines: LogMessage[] = [];
  private unsealedChars = 0;
  private messages: LogMessage[] = [];
  /** Lines and messages dropped since the last note. */
  private dropped = 0;

  push(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
    this.unsealedChars += message.length + 1;
    // Dropped in one cut when twice over, so a flood costs amortized constant time per line.
    if (this.unsealedChars > 2 * MAX_UNSEALED_CHARS) {
      let cut = 0;
      while (this.unsealedChars > MAX_UNSEALED_CHARS) this.unsealedChars -= this.lines[cut++].message.length + 1;
      this.lines.splice(0, cut);
      this.dropped += cut;
    }
  }

  /** Packs the lines received since the last seal into messages, the newest MAX_QUEUED_MESSAGES kept. */
  seal(): void {
    if (this.lines.length === 0) return;
    // Lines sealed while an earlier message still waits join it when they fit: fewer PATCHes.
    const waiting = this.messages.pop();
    const packed = packLines(waiting ? [waiting, ...this.lines] : this.lines);
    this.lines = [];
    this.unsealedChars = 0;
    // concat, not push(...packed): lines alternating levels make one message each, too many to spread as arguments.
    const all = this.messages.concat(packed);
    const over = Math.max(0, all.length - MAX_QUEUED_MESSAGES);
    this.messages = over > 0 ? all.slice(over) : all;
    this.dropped += over;
  }

  /** The next message to send; a note first when messages had to be dropped. */
  next(): LogMessage | undefined {
    if (this.dropped > 0) {
      const note = {
        level: 'warn' as const,
        message: `[runstream agent] ${this.dropped} log lines or messages dropped: the program wrote faster than ingest accepted them`,
      };
      this.dropped = 0;
      return note;
    }
    return this.messages.shift();
  }

  get hasUnsealed(): boolean {
    return this.lines.length > 0;
  }

  get hasMessages(): boolean {
    return this.messages.length > 0 || this.dropped > 0;
  }
}
