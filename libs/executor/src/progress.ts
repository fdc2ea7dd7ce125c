import { truncateText } from '@runstream/events';
/** What one output line says about a run's progress; only the fields the line tells. */
export interface ProgressUpdate {
  progress?: number;
  currentPhase?: string;
  currentResource?: string;
}

/** dbt's "HH:MM:SS  N of M WORD description ..... [status]" lines (timestamp optional: --log-format text without it). */
const DBT_NODE = /^(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+)?(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP|RUN|SUCCESS|NO-OP)\b\s*(.*)$/;
/** The resource a dbt line names: the word after its kind (`sql table model main.orders`, `test not_null_x`). */
const DBT_RESOURCE = /\b(?:model|test|seed file|seed|snapshot|source|analysis|operation|hook|function|freshness of|unit test)\s+([^\s.][^\s]*?)(?:\s|\.{2,}|$)/;
const DBT_DONE = /^(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+)?(?:Finished running|Done\. PASS=)/;
const DBT_START = /^(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+)?Running with dbt=/;
/** SQLMesh's progress bars as printed to a pipe: "Evaluating models ━━━━ 40.0% • 2/5 • 0:00:03". */
const SQLMESH_BAR = /^\s*([A-Z][A-Za-z ]{2,60}?)\s*[━─╸╺█▌#=\- ]*\s(\d{1,3}(?:\.\d+)?)%\s*•\s*(\d+)\/(\d+)/;
/** SQLMesh's per-batch lines: "[2/5]  sushi.customers  [insert 2024-01-01 - 2024-01-31]  0.12s". */
const SQLMESH_BATCH = /^\s*\[(\d+)\/(\d+)\]\s+([A-Za-z0-9_."`-]+)/;

function percent(done: number, total: number): number | undefined {
  if (!(total > 0) || done < 0) return undefined;
  return Math.min(100, Math.round((done / total) * 100));
}

function dbtResource(description: string): string | undefined {
  const match = DBT_RESOURCE.exec(description);
  if (match) return match[1].replace(/\.+$/, '');
  const plain = description.replace(/\s*\.{2,}.*$/, '').trim();
  return plain === '' ? undefined : truncateText(plain, 256);
}

function parseDbt(line: string): ProgressUpdate | undefined {
  const node = DBT_NODE.exec(line);
  if (node) {
    const [, index, total, word, description] = node;
    // START announces node N: N-1 are done. Every other word reports node N finished.
    const done = word === 'START' || word === 'RUN' ? Number(index) - 1 : Number(index);
    const update: ProgressUpdate = { currentPhase: 'running nodes', progress: percent(done, Number(total)) };
    const resource = dbtResource(description);
    if (resource) update.currentResource = resource;
    return update;
  }
  if (DBT_START.test(line)) return { currentPhase: 'starting' };
  if (DBT_DONE.test(line)) return { currentPhase: 'finished', progress: 100 };
  return undefined;
}

function parseSqlmesh(line: string): ProgressUpdate | undefined {
  const bar = SQLMESH_BAR.exec(line);
  if (bar) return { currentPhase: bar[1].trim().toLowerCase(), progress: Math.min(100, Math.round(Number(bar[2]))) };
  const batch = SQLMESH_BATCH.exec(line);
  if (batch) return { progress: percent(Number(batch[1]), Number(batch[2])), currentResource: batch[3].replace(/[`"]/g, '') };
  return undefined;
}

/** Progress told by one stdout/stderr line of dbt or SQLMesh; undefined for every other line. */
export function parseProgress(line: string): ProgressUpdate | undefined {
  const update = parseDbt(line) ?? parseSqlmesh(line);
  if (!update) return undefined;
  for (const key of Object.keys(update) as (keyof ProgressUpdate)[]) if (update[key] === undefined) delete update[key];
  if (update.currentResource) update.currentResource = truncateText(update.currentResource, 256);
  return update;
}
