import { useMemo, useState } from 'react';
import { Link, useParams } from 'wouter';
import { executionKey, isActive, useEltRun, useRunExecutions } from '../api/queries';
import { useRunStream } from '../api/run-stream';
import { EltRun, TelemetrySample } from '../api/types';
import { Sparkline } from '../components/chart';
import { ErrorState, Loading, StatusBadge } from '../components/states';
import { Time } from '../components/time';
import { bytes, count, duration, num } from '../lib/format';
import { LogView } from './log-view';

/** Sparklines drawn from the samples: the first measurement name present of each group. */
const SERIES = [
  { label: 'Rows', keys: ['rowsLoaded', 'rows', 'rows_loaded', 'rowsProcessed'], color: '#2456d6', format: count },
  { label: 'Bytes', keys: ['bytesLoaded', 'bytes', 'bytes_loaded', 'bytesProcessed'], color: '#0f7b6c', format: bytes },
  { label: 'Progress', keys: ['progress'], color: '#9a4dd1', format: (value: number) => `${Math.round(value)} %` },
];

export function RunDetailPage() {
  const { runId = '' } = useParams<{ runId: string }>();
  const [streaming, setStreaming] = useState(false);
  // A live run follows its event stream; it is polled only while the stream is not up.
  const run = useEltRun(runId, !streaming);
  useRunStream(runId, isActive(run.data?.status), setStreaming);
  if (run.isPending) return <Loading what={`run ${runId}`} />;
  // A failed background refresh keeps the page it has (scroll, log position); the next poll catches up.
  if (run.isError && run.data === undefined) return <ErrorState error={run.error} what={`run ${runId}`} retry={() => void run.refetch()} />;
  return <RunDetail run={run.data} />;
}

function RunDetail({ run }: { run: EltRun }) {
  const live = isActive(run.status);
  const project = encodeURIComponent(run.projectId);
  const summary = run.telemetry.summary;
  return (
    <article>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href={`/projects/${project}/runs`}>{run.projectId} runs</Link> / {run.id}
      </nav>
      <header className="run-header">
        <h1>
          {run.jobName || run.id} <StatusBadge status={run.status} />
          {live && (
            <span className="live" aria-live="polite">
              live
            </span>
          )}
        </h1>
        <dl className="facts">
          <Fact label="Cronjob">{run.cronjobName || '–'}</Fact>
          <Fact label="Job type">{run.jobType || '–'}</Fact>
          <Fact label="Triggered by">{run.triggeredBy || '–'}</Fact>
          <Fact label="Created">
            <Time at={run.createdAt} />
          </Fact>
          <Fact label="Started">
            <Time at={run.startedAt} />
          </Fact>
          <Fact label="Finished">
            <Time at={run.finishedAt} />
          </Fact>
          <Fact label="Duration">{duration(run.durationSeconds)}</Fact>
          <Fact label="Phase">{typeof summary.currentPhase === 'string' ? summary.currentPhase : '–'}</Fact>
          <Fact label="Job">
            {run.jobId ? <Link href={`/projects/${project}/jobs#${encodeURIComponent(run.jobId)}`}>{run.cronjobName || run.jobId}</Link> : '–'}
          </Fact>
        </dl>
        {run.errorSummary && (
          <p className="error-summary" role="note">
            <strong>Error:</strong> {run.errorSummary}
          </p>
        )}
      </header>
      <Telemetry samples={run.telemetry.samples} summary={summary} />
      <Executions run={run} live={live} />
      <LogView entries={run.logEntries} live={live} />
    </article>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Telemetry({ samples, summary }: { samples: TelemetrySample[]; summary: EltRun['telemetry']['summary'] }) {
  const series = useMemo(() => {
    // In time order, as uPlot needs: samples come in report order, and a runner may backfill.
    const ordered = samples
      .map((sample) => ({ sample, time: new Date(sample.at).getTime() / 1000 }))
      .sort((a, b) => a.time - b.time)
      .map(({ sample }) => sample);
    const times = ordered.map((sample) => new Date(sample.at).getTime() / 1000);
    return SERIES.map((spec) => {
      const key = spec.keys.find((name) => ordered.some((sample) => num(sample[name]) !== undefined));
      return { ...spec, key, times, values: key ? ordered.map((sample) => num(sample[key]) ?? null) : [] };
    });
  }, [samples]);
  const summaryValue = (keys: string[]) => keys.map((key) => num(summary[key])).find((value) => value !== undefined);
  return (
    <section aria-labelledby="telemetry">
      <h2 id="telemetry">Telemetry</h2>
      {samples.length === 0 && <p className="muted">No samples reported{Object.keys(summary).length ? '; the summary is below' : ''}.</p>}
      <div className="sparklines">
        {series.map((spec) => {
          const latest = summaryValue(spec.keys) ?? [...spec.values].reverse().find((value): value is number => value !== null);
          return (
            <figure key={spec.label} className="spark">
              <figcaption>
                {spec.label} <strong data-testid={`latest-${spec.label.toLowerCase()}`}>{latest === undefined ? '–' : spec.format(latest)}</strong>
              </figcaption>
              {spec.key && spec.values.length > 0 ? (
                <Sparkline
                  times={spec.times}
                  values={spec.values}
                  color={spec.color}
                  label={`${spec.label} over the run, ${spec.values.length} samples`}
                  testId={`spark-${spec.label.toLowerCase()}`}
                />
              ) : (
                <div className="muted spark-empty">no {spec.label.toLowerCase()} samples</div>
              )}
            </figure>
          );
        })}
      </div>
    </section>
  );
}

function Executions({ run, live }: { run: EltRun; live: boolean }) {
  const executions = useRunExecutions(run.projectId, run.createdAt, run.id, live);
  const longest = Math.max(1, ...(executions.data ?? []).map((execution) => execution.duration_seconds ?? 0));
  return (
    <section aria-labelledby="models">
      <h2 id="models">Model executions</h2>
      {executions.isPending ? (
        <Loading what="model executions" />
      ) : executions.isError && executions.data === undefined ? (
        <ErrorState error={executions.error} what="model executions" retry={() => void executions.refetch()} />
      ) : executions.data.length === 0 ? (
        <p className="muted">This run reported no model executions.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="run-executions">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col" className="bar-col">
                  <span className="visually-hidden">Duration bar</span>
                </th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col" className="num">
                  Bytes
                </th>
              </tr>
            </thead>
            <tbody>
              {executions.data.map((execution) => (
                <tr key={executionKey(execution)}>
                  <th scope="row">{execution.model_name}</th>
                  <td>
                    <StatusBadge status={execution.status} />
                  </td>
                  <td>
                    <Time at={execution.started_at} />
                  </td>
                  <td className="num">{duration(execution.duration_seconds)}</td>
                  <td className="bar-col" aria-hidden="true">
                    <span className="bar" style={{ width: `${((execution.duration_seconds ?? 0) / longest) * 100}%` }} />
                  </td>
                  <td className="num">{count(execution.rows_processed)}</td>
                  <td className="num">{bytes(execution.bytes_processed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
