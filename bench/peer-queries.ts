/**
 * The PostgreSQL peer's SQL: for every endpoint of section 4, the statements that answer the
 * same request from the same data. Each draws its parameters exactly as the endpoint's path
 * does (the same `pick` calls in the same order), so both answer the same requests.
 */
import { modelName, modelsOf, RunSample } from './dataset';
import { DAILY_DAYS, DAY_MS, orgStatsWindow, STATS_WINDOW_DAYS, UPDATED_AFTER_DAYS } from './queries';

export interface Statement {
  text: string;
  values: unknown[];
}

export interface PeerQuery {
  name: string;
  /** The endpoint of section 4 it is the equivalent of. */
  endpoint: string;
  /** SQL statements for request i, run one after another. */
  statements: (s: RunSample, i: number, pick: (n: number) => number, anchor: number) => Statement[];
  /** Carries section 5's ≥ 10× target. */
  stats: boolean;
}

function runFilter(s: RunSample, i: number, anchor: number): { where: string; values: unknown[] } {
  const values: unknown[] = [s.org_id, s.project_id];
  const extra = ['', ' AND status = $3', ' AND cronjob_name = $3', ' AND updated_at > $3'][i % 4];
  if (i % 4 === 1) values.push('failed');
  if (i % 4 === 2) values.push(s.cronjob_name);
  if (i % 4 === 3) values.push(new Date(anchor - UPDATED_AFTER_DAYS * DAY_MS));
  return { where: `org_id = $1 AND project_id = $2${extra}`, values };
}

function modelStats(s: RunSample, i: number, anchor: number, model?: string): Statement {
  const days = STATS_WINDOW_DAYS[i % STATS_WINDOW_DAYS.length];
  const today = Math.floor(anchor / DAY_MS) * DAY_MS;
  const values: unknown[] = [s.org_id, s.project_id];
  if (days) values.push(new Date(today - (days - 1) * DAY_MS), new Date(today + DAY_MS));
  if (model) values.push(model);
  return {
    text: `SELECT model_name, count(*), count(*) FILTER (WHERE status = 'success'), count(*) FILTER (WHERE status IN ('failed', 'error')),
                  avg(duration_seconds), percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_seconds),
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_seconds), max(duration_seconds), min(duration_seconds),
                  sum(rows_processed), avg(rows_processed), sum(bytes_processed), avg(bytes_processed),
                  max(coalesce(completed_at, started_at))
           FROM model_executions WHERE org_id = $1 AND project_id = $2${days ? ' AND started_at >= $3 AND started_at < $4' : ''}
           ${model ? `AND model_name = $${values.length}` : ''}
           GROUP BY model_name ORDER BY model_name`,
    values,
  };
}

const runById = (s: RunSample): Statement => ({ text: 'SELECT * FROM runs WHERE org_id = $1 AND id = $2 LIMIT 1', values: [s.org_id, s.id] });
const runLog = (s: RunSample): Statement => ({
  text: 'SELECT * FROM run_log_entries WHERE org_id = $1 AND run_id = $2 ORDER BY seq',
  values: [s.org_id, s.id],
});
const runSamples = (s: RunSample): Statement => ({
  text: 'SELECT * FROM run_telemetry_samples WHERE org_id = $1 AND run_id = $2 ORDER BY seq',
  values: [s.org_id, s.id],
});

/** The org's runs grouped per bucket, project, status and claim, and its latest failures (libs/clickhouse runs.table.ts). */
function orgStats(s: RunSample, i: number, anchor: number): Statement[] {
  const { hours, granularity } = orgStatsWindow(i);
  const unit = granularity === 'hourly' ? 'hour' : 'day';
  const values = [s.org_id, new Date(anchor - hours * 3_600_000), new Date(anchor)];
  const window = 'org_id = $1 AND created_at >= $2 AND created_at < $3';
  return [
    {
      text: `SELECT date_trunc('${unit}', created_at AT TIME ZONE 'UTC') AS bucket, project_id, status, claimed_by <> '' AS claimed,
                    count(*), sum(coalesce(duration_seconds, 0)), count(duration_seconds)
             FROM runs WHERE ${window} GROUP BY 1, 2, 3, 4`,
      values,
    },
    {
      text: `SELECT * FROM runs WHERE ${window} AND status IN ('failed', 'error', 'partial') ORDER BY updated_at DESC, id DESC LIMIT 10`,
      values,
    },
  ];
}

export const PEER_QUERIES: PeerQuery[] = [
  {
    name: 'runs page (page + count + stats)',
    endpoint: 'runs page',
    stats: false,
    statements: (s, i, pick, anchor) => {
      const { where, values } = runFilter(s, i, anchor);
      const offset = pick(3) * 50;
      return [
        { text: `SELECT * FROM runs WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET ${offset}`, values },
        { text: `SELECT count(*) FROM runs WHERE ${where}`, values },
        {
          text: `SELECT count(*), count(*) FILTER (WHERE status = 'success'), count(*) FILTER (WHERE status = 'failed'),
                        count(*) FILTER (WHERE status = 'error'), avg(duration_seconds) FILTER (WHERE status = 'success')
                 FROM runs WHERE ${where}`,
          values,
        },
      ];
    },
  },
  {
    name: 'daily stats (percentile_cont)',
    endpoint: 'runs daily-stats',
    stats: true,
    statements: (s, i, _pick, anchor) => {
      const days = DAILY_DAYS[i % DAILY_DAYS.length];
      const today = Math.floor(anchor / DAY_MS) * DAY_MS;
      const values: unknown[] = [s.org_id, s.project_id, new Date(today - (days - 1) * DAY_MS), new Date(today + DAY_MS)];
      if (i % 2) values.push(s.cronjob_name);
      return [
        {
          text: `SELECT (created_at AT TIME ZONE 'UTC')::date AS date, count(*), count(*) FILTER (WHERE status = 'success'),
                        count(*) FILTER (WHERE status = 'partial'), count(*) FILTER (WHERE status = 'failed'),
                        count(*) FILTER (WHERE status NOT IN ('success', 'partial', 'failed')), avg(duration_seconds),
                        percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_seconds), max(duration_seconds)
                 FROM runs WHERE org_id = $1 AND project_id = $2 AND created_at >= $3 AND created_at < $4${i % 2 ? ' AND cronjob_name = $5' : ''}
                 GROUP BY 1 ORDER BY 1`,
          values,
        },
      ];
    },
  },
  {
    name: 'model-executions page (page + count)',
    endpoint: 'model-executions page',
    stats: false,
    statements: (s, i, pick) => {
      const offset = pick(3) * 100;
      const values: unknown[] = [s.org_id, s.project_id];
      if (i % 2) values.push(modelName(pick(modelsOf(s.project_id))));
      const where = `org_id = $1 AND project_id = $2${i % 2 ? ' AND model_name = $3' : ''}`;
      return [
        {
          text: `SELECT * FROM model_executions WHERE ${where} ORDER BY created_at DESC, started_at DESC, id DESC, model_name DESC LIMIT 100 OFFSET ${offset}`,
          values,
        },
        { text: `SELECT count(*) FROM model_executions WHERE ${where}`, values },
      ];
    },
  },
  {
    name: 'model stats, all models (percentile_cont)',
    endpoint: 'model stats (all models)',
    stats: true,
    statements: (s, i, _pick, anchor) => [modelStats(s, i, anchor)],
  },
  {
    name: 'model stats, one model (percentile_cont)',
    endpoint: 'model stats (one model)',
    stats: true,
    statements: (s, i, pick, anchor) => [modelStats(s, i, anchor, modelName(pick(modelsOf(s.project_id))))],
  },
  { name: 'run by id', endpoint: 'run (v1)', stats: false, statements: (s) => [runById(s)] },
  { name: 'run + its log', endpoint: 'run logs', stats: false, statements: (s) => [runById(s), runLog(s)] },
  { name: 'run + log + samples', endpoint: 'run (write-API shape)', stats: false, statements: (s) => [runById(s), runLog(s), runSamples(s)] },
  {
    name: 'org runs per bucket + latest failures',
    endpoint: 'org executions stats',
    stats: false,
    statements: (s, i, _pick, anchor) => orgStats(s, i, anchor),
  },
];

/** The peer's query for an endpoint of section 4 (every endpoint has one). */
export function peerQueryOf(endpoint: string): PeerQuery {
  const query = PEER_QUERIES.find((q) => q.endpoint === endpoint);
  if (!query) throw new Error(`no PostgreSQL equivalent of ${endpoint}`);
  return query;
}
