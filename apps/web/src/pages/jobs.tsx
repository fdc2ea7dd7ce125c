import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { isActive, LIVE_MS, useJobRuns, useJobs, useLiveJobs, useTriggerJob, useUpdateJob } from '../api/queries';
import { Job } from '../api/types';
import { Empty, ErrorState, Loading, StatusBadge } from '../components/states';
import { Time } from '../components/time';
import { duration } from '../lib/format';
import { routeParam } from '../lib/route-param';

/** A project's jobs (enable/disable, trigger, last runs) and what is running now; without a project, the organisation's live executions. */
export function JobsPage({ project }: { project?: string }) {
  return (
    <section>
      <h1>
        {project ? (
          <>
            Jobs <span className="sub">{project}</span>
          </>
        ) : (
          'Running now'
        )}
      </h1>
      {project && <ProjectJobs project={project} />}
      <LiveJobs project={project} />
    </section>
  );
}

function ProjectJobs({ project }: { project: string }) {
  const jobs = useJobs(project);
  const loaded = jobs.isSuccess;
  // A run's "Job" link points at /projects/:id/jobs#<job id>: bring that job into view once listed.
  useEffect(() => {
    // routeParam: a malformed escape in a pasted link must not throw and blank the page.
    const target = loaded && window.location.hash ? document.getElementById(routeParam(window.location.hash.slice(1))) : null;
    target?.scrollIntoView({ block: 'start' });
    target?.classList.add('targeted');
  }, [loaded]);
  if (jobs.isPending) return <Loading what="jobs" />;
  if (jobs.isError) return <ErrorState error={jobs.error} what="jobs" retry={() => void jobs.refetch()} />;
  if (jobs.data.jobs.length === 0)
    return (
      <Empty title="No jobs in this project">
        <p>Create one with the Jobs API (docs/jobs.md): POST /api/v1/projects/{project}/jobs.</p>
      </Empty>
    );
  return (
    <ul className="jobs" data-testid="jobs">
      {jobs.data.jobs.map((job) => (
        <JobCard key={job.id} project={project} job={job} />
      ))}
    </ul>
  );
}

/** How long a triggered run is polled for every second before the card goes back to its usual pace. */
const AWAIT_RUN_MS = 60_000;

function JobCard({ project, job }: { project: string; job: Job }) {
  const update = useUpdateJob(project);
  const trigger = useTriggerJob(project);
  const [awaiting, setAwaiting] = useState<string>();
  // Polled every second only until the triggered run shows up, or for a minute at most.
  const [appeared, setAppeared] = useState(false);
  const [gaveUp, setGaveUp] = useState(false);
  const runs = useJobRuns(project, job.name, awaiting !== undefined && !appeared && !gaveUp ? awaiting : undefined);
  const seen = awaiting !== undefined && runs.data?.runs.some((run) => run.id === awaiting);
  useEffect(() => {
    if (seen) setAppeared(true);
  }, [seen]);
  useEffect(() => {
    if (awaiting === undefined) return;
    setAppeared(false);
    setGaveUp(false);
    const timer = setTimeout(() => setGaveUp(true), AWAIT_RUN_MS);
    return () => clearTimeout(timer);
  }, [awaiting]);

  return (
    <li className="job" id={job.id} data-job={job.name}>
      <div className="job-head">
        <h2>{job.name}</h2>
        <span className={`badge ${job.enabled ? 'status-success' : 'status-cancelled'}`}>{job.enabled ? 'enabled' : 'disabled'}</span>
        <div className="actions">
          <button type="button" disabled={update.isPending} onClick={() => update.mutate({ jobId: job.id, body: { enabled: !job.enabled } })}>
            {job.enabled ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            className="primary"
            disabled={trigger.isPending}
            onClick={() => trigger.mutate(job.id, { onSuccess: (answer) => setAwaiting(answer.job_run_id) })}
          >
            Trigger now
          </button>
        </div>
      </div>
      <p className="muted">
        <code>{job.command}</code> · schedule <code>{job.schedule}</code> ({job.timezone}){job.description ? ` · ${job.description}` : ''}
      </p>
      {(update.isError || trigger.isError) && (
        <p className="problem" role="alert">
          {(update.error ?? trigger.error)?.message}
        </p>
      )}
      {awaiting && (
        <p className="notice" role="status">
          {/* Linked once readable: the run goes through Kafka first, and its page would answer 404 before. */}
          Triggered run {appeared ? <Link href={`/runs/${awaiting}`}>{awaiting}</Link> : <code>{awaiting}</code>}
          {appeared ? '.' : gaveUp ? '; not listed yet: it will show in Runs once recorded.' : '; waiting for it to appear…'}
        </p>
      )}
      <h3>Last runs</h3>
      {runs.isPending ? (
        <Loading what="runs" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} what="runs" />
      ) : runs.data.runs.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <ol className="job-runs">
          {runs.data.runs.map((run) => (
            <li key={run.id} data-run-id={run.id}>
              <StatusBadge status={run.status} /> <Link href={`/runs/${encodeURIComponent(run.id)}`}>{run.job_name || run.id}</Link>{' '}
              <Time at={run.created_at} />{' '}
              <span className="muted">
                {run.triggered_by} · {isActive(run.status) ? 'in progress' : duration(run.duration_seconds)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

function LiveJobs({ project }: { project?: string }) {
  const live = useLiveJobs(project);
  return (
    <section aria-labelledby="live">
      <h2 id="live">{project ? 'Executions of this project' : 'Executions across the organisation'}</h2>
      {live.isPending ? (
        <Loading what="executions" />
      ) : live.isError ? (
        <ErrorState error={live.error} what="executions" retry={() => void live.refetch()} />
      ) : live.data.jobs.length === 0 ? (
        <p className="muted">Nothing has run recently.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="live-jobs">
            <caption>
              {live.data.jobs.filter((job) => job.status === 'running' || job.status === 'pending').length} running or pending now, and those finished recently;
              newest first, refreshed every {LIVE_MS / 1000} s
            </caption>
            <thead>
              <tr>
                <th scope="col">Execution</th>
                <th scope="col">Project</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {live.data.jobs.map((job) => (
                <tr key={job.id}>
                  <th scope="row">{job.id}</th>
                  <td>
                    <Link href={`/projects/${encodeURIComponent(job.project)}/runs`}>{job.project}</Link>
                  </td>
                  <td>
                    <StatusBadge status={job.status} />
                  </td>
                  <td>
                    <Time at={job.start_time} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
