import { useMemo } from 'react';
import uPlot, { Options } from 'uplot';
import { useParams } from 'wouter';
import { useDailyStats } from '../api/queries';
import { DailyStat } from '../api/types';
import { Chart } from '../components/chart';
import { ErrorState, Loading } from '../components/states';
import { count, duration, percent } from '../lib/format';
import { routeParam } from '../lib/route-param';
import { intParam, useUrlState } from '../lib/url';
import { Stat } from './home';
import { ModelTable } from './models-table';

const STATUS_COLORS = { success: '#1f8f4e', partial: '#d88c12', failed: '#c7362f', other: '#7b8494' };

/** Days on the x axis, half a day of room either side so the first and last days' bars are drawn whole. */
const DAY_AXIS: uPlot.Scale = { time: true, range: (_u, min, max) => [(min ?? 0) - 43_200, (max ?? 0) + 43_200] };
/** uPlot labels time axes in the browser's zone unless told: the days here are UTC days, as the table beside them. */
const IN_UTC = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

/** Runs per day by status, duration per day against an SLA, success rate, and the model table. */
export function HealthPage() {
  const project = routeParam(useParams<{ project: string }>().project);
  const [params, update] = useUrlState();
  const days = intParam(params, 'days', 30, 365);
  const sla = Number(params.get('sla')) > 0 ? Number(params.get('sla')) : undefined;
  const daily = useDailyStats(project, days);

  return (
    <section>
      <h1>
        Health <span className="sub">{project}</span>
      </h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Chart settings">
        <label>
          Days
          <select value={days} onChange={(event) => update({ days: event.target.value === '30' ? undefined : event.target.value })}>
            {[7, 14, 30, 90, 365].map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          SLA (seconds)
          <input
            type="number"
            min={1}
            step="any"
            defaultValue={sla ?? ''}
            key={sla ?? ''}
            placeholder="none"
            onKeyDown={(event) => event.key === 'Enter' && update({ sla: event.currentTarget.value || undefined })}
            onBlur={(event) => update({ sla: event.currentTarget.value || undefined })}
          />
        </label>
      </form>
      {daily.isPending ? (
        <Loading what="daily stats" />
      ) : daily.isError ? (
        <ErrorState error={daily.error} what="daily stats" retry={() => void daily.refetch()} />
      ) : (
        <DailyCharts stats={daily.data.daily_stats} sla={sla} />
      )}
      <ModelTable project={project} />
    </section>
  );
}

function DailyCharts({ stats, sla }: { stats: DailyStat[]; sla: number | undefined }) {
  const totals = useMemo(() => {
    const sum = (pick: (day: DailyStat) => number) => stats.reduce((acc, day) => acc + pick(day), 0);
    const success = sum((day) => day.success_count);
    const finished = success + sum((day) => day.partial_count) + sum((day) => day.failed_count);
    const worstP95 = Math.max(0, ...stats.map((day) => day.p95_duration_seconds ?? 0));
    const breaches = sla ? stats.filter((day) => (day.p95_duration_seconds ?? 0) > sla).length : 0;
    return { runs: sum((day) => day.total_runs), rate: finished ? success / finished : null, failed: sum((day) => day.failed_count), worstP95, breaches };
  }, [stats, sla]);
  const times = useMemo(() => stats.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000), [stats]);

  // Stacked: each series is drawn up to its cumulative height, tallest first so the others overlay it.
  const stacked = useMemo(() => {
    const success = stats.map((day) => day.success_count);
    const partial = stats.map((day, i) => success[i] + day.partial_count);
    const failed = stats.map((day, i) => partial[i] + day.failed_count);
    const other = stats.map((day, i) => failed[i] + day.other_count);
    // A zero-height bar would still draw its outline along the axis.
    const bar = (values: number[]) => values.map((value) => (value > 0 ? value : null));
    return [times, bar(other), bar(failed), bar(partial), bar(success)] as uPlot.AlignedData;
  }, [stats, times]);
  const runsOptions = useMemo<Omit<Options, 'width'>>(() => {
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    const raw = (key: keyof DailyStat) => (_u: uPlot, _v: number | null, _s: number, index: number | null) =>
      index === null ? '–' : String(stats[index]?.[key] ?? '–');
    return {
      height: 220,
      tzDate: IN_UTC,
      // Counts: from zero, whole-number ticks.
      scales: { x: DAY_AXIS, y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] } },
      axes: [{}, { label: 'runs', size: 50, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000, 1_000_000] }],
      series: [
        { value: (_u, value) => (value ? new Date(value * 1000).toISOString().slice(0, 10) : '–') },
        { label: 'error & other', fill: STATUS_COLORS.other, stroke: STATUS_COLORS.other, paths: bars, points: { show: false }, value: raw('other_count') },
        { label: 'failed', fill: STATUS_COLORS.failed, stroke: STATUS_COLORS.failed, paths: bars, points: { show: false }, value: raw('failed_count') },
        { label: 'partial', fill: STATUS_COLORS.partial, stroke: STATUS_COLORS.partial, paths: bars, points: { show: false }, value: raw('partial_count') },
        { label: 'success', fill: STATUS_COLORS.success, stroke: STATUS_COLORS.success, paths: bars, points: { show: false }, value: raw('success_count') },
      ],
    };
  }, [stats]);

  const durations = useMemo(
    () =>
      [times, stats.map((day) => day.p95_duration_seconds), stats.map((day) => day.max_duration_seconds), stats.map(() => sla ?? null)] as uPlot.AlignedData,
    [stats, times, sla],
  );
  const durationOptions = useMemo<Omit<Options, 'width'>>(
    () => ({
      height: 220,
      tzDate: IN_UTC,
      scales: { x: DAY_AXIS, y: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 1) * 1.1)] } },
      axes: [{}, { label: 'seconds', size: 60 }],
      series: [
        { value: (_u, value) => (value ? new Date(value * 1000).toISOString().slice(0, 10) : '–') },
        { label: 'p95', stroke: '#2456d6', width: 2, spanGaps: false, points: { show: true, size: 7, fill: '#2456d6' }, value: (_u, value) => duration(value) },
        { label: 'max', stroke: '#9a4dd1', width: 1, dash: [4, 4], points: { show: true, size: 5 }, value: (_u, value) => duration(value) },
        { label: 'SLA', stroke: '#c7362f', width: 1.5, points: { show: false }, value: (_u, value) => duration(value) },
      ],
    }),
    [],
  );

  return (
    <>
      <div className="strip" aria-label="Project health over the window">
        <Stat label={`Runs (${stats.length} days)`} value={count(totals.runs)} />
        <Stat label="Success rate (success, partial, failed)" value={percent(totals.rate)} tone={totals.rate !== null && totals.rate < 0.9 ? 'bad' : 'good'} />
        <Stat label="Failed runs" value={count(totals.failed)} tone={totals.failed ? 'bad' : undefined} />
        <Stat label="Worst daily p95" value={duration(totals.worstP95 || null)} />
        {sla !== undefined && <Stat label={`Days over the ${duration(sla)} SLA`} value={count(totals.breaches)} tone={totals.breaches ? 'bad' : 'good'} />}
      </div>
      <div className="charts">
        <figure>
          <figcaption>Runs per day by status</figcaption>
          <Chart options={runsOptions} data={stacked} label={`Runs per day by status over ${stats.length} days, ${totals.runs} runs`} testId="chart-runs" />
        </figure>
        <figure>
          <figcaption>Duration per day: p95 and max{sla ? `, SLA ${duration(sla)}` : ''}</figcaption>
          <Chart
            options={durationOptions}
            data={durations}
            label={`p95 and max run duration per day${sla ? ` against an SLA of ${sla} seconds` : ''}`}
            testId="chart-p95"
          />
        </figure>
      </div>
      <details>
        <summary>Daily numbers</summary>
        <div className="table-wrap">
          <table data-testid="daily-table">
            <thead>
              <tr>
                <th scope="col">Date (UTC)</th>
                <th scope="col" className="num">
                  Runs
                </th>
                <th scope="col" className="num">
                  Success
                </th>
                <th scope="col" className="num">
                  Partial
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col" className="num" title="error, cancelled, pending and running runs (the daily stats' other_count)">
                  Error &amp; other
                </th>
                <th scope="col" className="num">
                  p95
                </th>
                <th scope="col" className="num">
                  Max
                </th>
              </tr>
            </thead>
            <tbody>
              {stats.map((day) => (
                <tr key={day.date} className={sla && (day.p95_duration_seconds ?? 0) > sla ? 'breach' : ''}>
                  <th scope="row">{day.date}</th>
                  <td className="num">{day.total_runs}</td>
                  <td className="num">{day.success_count}</td>
                  <td className="num">{day.partial_count}</td>
                  <td className="num">{day.failed_count}</td>
                  <td className="num">{day.other_count}</td>
                  <td className="num">{duration(day.p95_duration_seconds)}</td>
                  <td className="num">{duration(day.max_duration_seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
