import { useMemo } from 'react';
import { Link, useParams } from 'wouter';
import { isActive, useRuns } from '../api/queries';
import { JOB_TYPES, JobType, RUN_STATUSES, RunList, RunStatus, RunSummary } from '../api/types';
import { Empty, ErrorState, Loading, StatusBadge } from '../components/states';
import { Stat } from './home';
import { Time } from '../components/time';
import { bytes, count, duration, num, percent, plural } from '../lib/format';
import { routeParam } from '../lib/route-param';
import { intParam, useUrlState } from '../lib/url';

const LIMIT = 25;
/** The read API's largest page number. */
const MAX_PAGE = 10_000_000;
/** The time window filter: runs updated within it (the API's updated_after). */
const WINDOWS: Record<string, number | undefined> = { all: undefined, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

export function RunsPage() {
  const project = routeParam(useParams<{ project: string }>().project);
  const [params, update] = useUrlState();
  const status = RUN_STATUSES.find((value) => value === params.get('status'));
  const jobType = JOB_TYPES.find((value) => value === params.get('job_type'));
  const cronjob = params.get('cronjob') ?? '';
  // A value the page does not offer (a hand-edited or old link) reads as no filter, as the selects show it.
  const window = Object.hasOwn(WINDOWS, params.get('window') ?? '') ? (params.get('window') as string) : 'all';
  const page = intParam(params, 'page', 1, MAX_PAGE);
  const minute = Math.floor(Date.now() / 60_000);
  const updatedAfter = useMemo(() => {
    const span = WINDOWS[window];
    return span === undefined ? undefined : new Date(minute * 60_000 - span).toISOString();
  }, [window, minute]);
  const runs = useRuns(project, {
    status,
    job_type: jobType,
    cronjob_name: cronjob || undefined,
    updated_after: updatedAfter,
    page,
    limit: LIMIT,
    include_telemetry: true,
  });

  return (
    <section>
      <h1>
        Runs <span className="sub">{project}</span>
      </h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filters">
        <label>
          Status
          <select value={status ?? ''} onChange={(event) => update({ status: event.target.value as RunStatus }, true)}>
            <option value="">any</option>
            {RUN_STATUSES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          Cronjob
          <input
            type="search"
            defaultValue={cronjob}
            key={cronjob}
            placeholder="exact name, Enter"
            onKeyDown={(event) => event.key === 'Enter' && update({ cronjob: event.currentTarget.value.trim() }, true)}
            onBlur={(event) => event.currentTarget.value.trim() !== cronjob && update({ cronjob: event.currentTarget.value.trim() }, true)}
          />
        </label>
        <label>
          Job type
          <select value={jobType ?? ''} onChange={(event) => update({ job_type: event.target.value as JobType }, true)}>
            <option value="">any</option>
            {JOB_TYPES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          Updated in
          <select value={window} onChange={(event) => update({ window: event.target.value === 'all' ? undefined : event.target.value }, true)}>
            <option value="all">any time</option>
            <option value="1h">the last hour</option>
            <option value="24h">the last 24 hours</option>
            <option value="7d">the last 7 days</option>
            <option value="30d">the last 30 days</option>
          </select>
        </label>
        {(status || jobType || cronjob || window !== 'all') && (
          <button
            type="button"
            className="link"
            onClick={() => update({ status: undefined, job_type: undefined, cronjob: undefined, window: undefined }, true)}
          >
            Clear filters
          </button>
        )}
      </form>
      {runs.isPending ? (
        <Loading what="runs" />
      ) : runs.isError && runs.data === undefined ? (
        <ErrorState error={runs.error} what="runs" retry={() => void runs.refetch()} />
      ) : runs.data.runs.length === 0 && page > 1 && runs.data.total > 0 ? (
        <Empty title={`Page ${page} is past the last page`}>
          <p>
            {plural(runs.data.total, 'run')} {runs.data.total === 1 ? 'matches' : 'match'}, on {plural(runs.data.total_pages, 'page')}.{' '}
            <button type="button" className="link" onClick={() => update({ page: runs.data.total_pages > 1 ? runs.data.total_pages : undefined })}>
              Go to the last page
            </button>
          </p>
        </Empty>
      ) : runs.data.runs.length === 0 ? (
        <Empty title="No runs match">
          <p>
            {status || jobType || cronjob || window !== 'all'
              ? 'Clear or widen the filters.'
              : `Project ${project} has no runs yet (or belongs to another organisation).`}
          </p>
        </Empty>
      ) : (
        <>
          {runs.data.stats && <RunsStrip stats={runs.data.stats} />}
          <div className="table-wrap">
            <table className="runs" data-testid="runs-table">
              <caption>
                {plural(runs.data.total, 'run')}, newest first{runs.isFetching ? ' (refreshing)' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Job / cronjob</th>
                  <th scope="col">Triggered by</th>
                  <th scope="col">Started</th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Bytes
                  </th>
                  <th scope="col">Progress</th>
                  <th scope="col">Phase</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.runs.map((run) => (
                  <RunRow key={run.id} run={run} />
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={runs.data.page} pages={runs.data.total_pages} onPage={(next) => update({ page: next === 1 ? undefined : next })} />
        </>
      )}
    </section>
  );
}

/** One run of the list, telemetry columns included (include_telemetry); the list refreshes while any run is going. */
function RunRow({ run }: { run: RunSummary }) {
  const summary = run.telemetry_summary;
  const status = run.status;
  const progress = num(summary?.progress);
  const seconds = run.duration_seconds;
  return (
    <tr data-run-id={run.id} data-status={status}>
      <td>
        <StatusBadge status={status} />
      </td>
      <td>
        <Link href={`/runs/${encodeURIComponent(run.id)}`}>{run.job_name || run.id}</Link>
        {run.cronjob_name && <div className="sub">{run.cronjob_name}</div>}
      </td>
      <td>{run.triggered_by || '–'}</td>
      <td>
        {run.start_time ? (
          <Time at={run.start_time} />
        ) : status === 'pending' ? (
          <span className="muted">not yet</span>
        ) : (
          <span className="muted" title="no start time was reported">
            –
          </span>
        )}
      </td>
      <td className="num">{isActive(status) && run.start_time ? <Elapsed since={run.start_time} /> : duration(seconds)}</td>
      <td className="num">{count(num(summary?.rowsLoaded))}</td>
      <td className="num">{bytes(num(summary?.bytesLoaded))}</td>
      <td>
        {progress === undefined ? (
          '–'
        ) : (
          <span className="progress" data-testid="progress" data-value={progress}>
            <progress max={100} value={progress} aria-label={`Progress of ${run.job_name || run.id}`} /> {Math.round(progress)} %
          </span>
        )}
      </td>
      <td>{typeof summary?.currentPhase === 'string' ? summary.currentPhase : '–'}</td>
    </tr>
  );
}

/** The dashboard strip: the filter's totals, computed by the API over the same filter as the table. */
function RunsStrip({ stats }: { stats: NonNullable<RunList['stats']> }) {
  const finished = stats.successful_runs + stats.failed_runs + stats.error_runs;
  const rate = finished ? stats.successful_runs / finished : null;
  return (
    <div className="strip" aria-label="Runs matching the filters" data-testid="runs-strip">
      <Stat label="Runs" value={count(stats.total_runs)} />
      <Stat label="Succeeded" value={count(stats.successful_runs)} />
      <Stat label="Failed or error" value={count(stats.failed_runs + stats.error_runs)} tone={stats.failed_runs + stats.error_runs ? 'bad' : undefined} />
      <Stat label="Success rate (success, failed, error)" value={percent(rate)} tone={rate !== null && rate < 0.9 ? 'bad' : 'good'} />
      <Stat label="Mean successful duration" value={duration(stats.avg_success_duration)} />
    </div>
  );
}

function Elapsed({ since }: { since: string }) {
  return <span title="running">{duration((Date.now() - new Date(since).getTime()) / 1000)}…</span>;
}

export function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Newer
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Older →
      </button>
    </nav>
  );
}
