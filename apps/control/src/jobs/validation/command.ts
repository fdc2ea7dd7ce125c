import { MAX_COMMAND_ARGS } from '@runstream/events';
import { parse } from 'shell-quote';

export type JobTool = 'dbt' | 'sqlmesh';

/** dbt subcommands a job may run; `source` and `docs` only as `source freshness` and `docs generate`. */
export const DBT_SUBCOMMANDS = [
  'build',
  'run',
  'test',
  'seed',
  'snapshot',
  'compile',
  'source freshness',
  'docs generate',
  'list',
  'ls',
  'parse',
  'deps',
  'debug',
  'clean',
  'run-operation',
  'show',
  'retry',
  'clone',
] as const;

/**
 * Refused anywhere in a dbt command, inside quotes too, as the reference says: no shell runs it,
 * and none must be needed. A SQLMesh command ("any sqlmesh invocation") may quote the operators
 * its own selectors use (`--select-model "tag:a | tag:b"`); those marked `anywhere` it may not:
 * line breaks, and expansions that would look as if a shell ran (shell-quote would also rewrite
 * `${X}` to `$X`). Operators outside quotes are refused as shell operators when the command is
 * split (toArgv).
 */
export const SHELL_METACHARACTERS: readonly { text: string; name: string; anywhere?: true }[] = [
  { text: ';', name: ';' },
  { text: '&&', name: '&&' },
  { text: '||', name: '||' },
  { text: '|', name: '|' },
  { text: '`', name: 'backtick', anywhere: true },
  { text: '$(', name: '$(', anywhere: true },
  { text: '${', name: '${', anywhere: true },
  { text: '>', name: '>' },
  { text: '<', name: '<' },
  { text: '\n', name: 'newline', anywhere: true },
  { text: '\r', name: 'carriage return', anywhere: true },
  // shell-quote expands bash's ANSI-C quotes: $'a\nb' would put a newline or a | into argv.
  { text: "$'", name: "$'", anywhere: true },
];

/** What a SQLMesh command may not hold even inside quotes. */
const REFUSED_IN_SQLMESH = SHELL_METACHARACTERS.filter((m) => m.anywhere);

export type ParsedCommand = { ok: true; argv: string[]; tool: JobTool } | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The command's first word as written, before parsing: it only picks which metacharacter rules apply. */
function writtenTool(command: string): JobTool | undefined {
  const first = command.trimStart().split(/\s/, 1)[0];
  return first === 'dbt' || first === 'sqlmesh' ? first : undefined;
}

/** Which tool a command runs, as the executor will (its parsed first word: `'dbt' run` is dbt); undefined for an invalid command. */
export function commandTool(command: string): JobTool | undefined {
  const parsed = parseCommand(command);
  return parsed.ok ? parsed.tool : undefined;
}

/** Quotes must be closed: shell-quote would silently close them. */
function unbalancedQuote(command: string): string | undefined {
  let open: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i += 1) {
    const c = command[i];
    if (open === "'") {
      if (c === "'") open = undefined;
    } else if (c === '\\') {
      i += 1;
    } else if (open === '"') {
      if (c === '"') open = undefined;
    } else if (c === '"' || c === "'") {
      open = c;
    }
  }
  return open;
}

function toArgv(command: string): string[] | string {
  // No expansion happens: `$NAME` stays the literal text `$NAME`.
  const tokens = parse(command, (name) => `$${name}`);
  const argv: string[] = [];
  for (const token of tokens) {
    if (typeof token === 'string') argv.push(token);
    else if ('comment' in token) return 'must not contain # comments (quote the # to pass it on)';
    else if (token.op === 'glob')
      argv.push(token.pattern); // passed on literally: no shell expands it
    else return `must not contain shell metacharacters (${token.op})`;
  }
  return argv;
}

function dbtProblem(argv: string[]): string | undefined {
  const [sub, next] = [argv[1], argv[2]];
  const allowed = `allowed: ${DBT_SUBCOMMANDS.join(', ')}`;
  if (sub === undefined) return `must name a dbt subcommand (${allowed})`;
  if (sub === 'source' || sub === 'docs') {
    const pair = `${sub} ${next ?? ''}`.trim();
    return (DBT_SUBCOMMANDS as readonly string[]).includes(pair) ? undefined : `dbt ${pair} is not an allowed dbt subcommand (${allowed})`;
  }
  return (DBT_SUBCOMMANDS as readonly string[]).includes(sub) ? undefined : `dbt ${sub} is not an allowed dbt subcommand (${allowed})`;
}

/**
 * A job command as the argv an executor runs without a shell: quotes honoured, no expansion,
 * shell metacharacters refused (a SQLMesh command may quote them). The first word is `dbt` (with an allowed subcommand) or
 * `sqlmesh` (any invocation); `onlyDbt` refuses sqlmesh (trigger overrides).
 */
export function parseCommand(command: string, onlyDbt = false): ParsedCommand {
  if (command.trim() === '') return { ok: false, reason: 'must not be empty' };
  const refused = writtenTool(command) === 'sqlmesh' ? REFUSED_IN_SQLMESH : SHELL_METACHARACTERS;
  const found = refused.find((m) => command.includes(m.text));
  if (found) return { ok: false, reason: `must not contain shell metacharacters (${found.name}): the command runs without a shell` };
  if (CONTROL_CHARACTERS.test(command)) return { ok: false, reason: 'must not contain control characters' };
  const quote = unbalancedQuote(command);
  if (quote) return { ok: false, reason: `has an unclosed ${quote} quote` };
  const argv = toArgv(command);
  if (typeof argv === 'string') return { ok: false, reason: argv };
  if (argv.length > MAX_COMMAND_ARGS) return { ok: false, reason: `must have at most ${MAX_COMMAND_ARGS} words` };
  const tool = argv[0];
  if (onlyDbt && tool !== 'dbt') return { ok: false, reason: 'must be a dbt command (start with dbt)' };
  if (tool !== 'dbt' && tool !== 'sqlmesh') return { ok: false, reason: 'must start with dbt or sqlmesh' };
  const problem = tool === 'dbt' ? dbtProblem(argv) : undefined;
  return problem ? { ok: false, reason: problem } : { ok: true, argv, tool };
}
