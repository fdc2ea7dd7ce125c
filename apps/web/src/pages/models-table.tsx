import { useMemo } from 'react';
import { useModelStats } from '../api/queries';
import { ErrorState, Loading, Empty } from '../components/states';
import { bytes, count, duration, utcDate } from '../lib/format';
import { compareWindows, REGRESSION_THRESHOLD, SORT_KEYS, SortKey, sortModels } from '../lib/model-compare';
import { intParam, useUrlState } from '../lib/url';

const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'model_name', label: 'Model', numeric: false },
  { key: 'total_executions', label: 'Runs', numeric: true },
  { key: 'p50_duration_seconds', label: 'p50', numeric: true },
  { key: 'p95_duration_seconds', label: 'p95', numeric: true },
  { key: 'min_duration_seconds', label: 'Min', numeric: true },
  { key: 'max_duration_seconds', label: 'Max', numeric: true },
  { key: 'total_rows_processed', label: 'Rows', numeric: true },
  { key: 'total_bytes_processed', label: 'Bytes', numeric: true },
  { key: 'change', label: 'p95 change', numeric: true },
];

/**
 * Models of the last `compare` days (URL, default 7) against the `compare` days before: p95
 * change, regressions (above +20 %) flagged; sortable by any column (URL `sort`, `dir`).
 */
export function ModelTable({ project }: { project: string }) {
  const [params, update] = useUrlState();
  const span = intParam(params, 'compare', 7, 180);
  const sort = SORT_KEYS.find((key) => key === params.get('sort')) ?? 'change';
  const descending = params.get('dir') !== 'asc';
  const current = { start_date: utcDate(-(span - 1)), end_date: utcDate(0) };
  const previous = { start_date: utcDate(-(2 * span - 1)), end_date: utcDate(-span) };
  const now = useModelStats(project, current);
  const before = useModelStats(project, previous);
  const rows = useMemo(
    () => (now.data && before.data ? sortModels(compareWindows(now.data.stats, before.data.stats), sort, descending) : []),
    [now.data, before.data, sort, descending],
  );
  const regressions = rows.filter((row) => row.regression).length;

  const sortBy = (key: SortKey) => update({ sort: key, dir: key === sort ? (descending ? 'asc' : 'desc') : key === 'model_name' ? 'asc' : 'desc' });

  return (
    <section aria-labelledby="models">
      <div className="section-head">
        <h2 id="models">Models</h2>
        <label>
          Compare the last
          <select value={span} onChange={(event) => update({ compare: event.target.value === '7' ? undefined : event.target.value })}>
            {[1, 7, 14, 30].map((value) => (
              <option key={value} value={value}>
                {value} days
              </option>
            ))}
          </select>
          with the {span} days before
        </label>
        {rows.length > 0 && (
          <span className={regressions ? 'flag' : 'muted'} data-testid="regression-count">
            {regressions ? `${regressions} regression${regressions > 1 ? 's' : ''} (p95 up more than ${REGRESSION_THRESHOLD * 100} %)` : 'no regressions'}
          </span>
        )}
      </div>
      {now.isPending || before.isPending ? (
        <Loading what="model stats" />
      ) : now.isError || before.isError ? (
        <ErrorState error={now.error ?? before.error} what="model stats" retry={() => void Promise.all([now.refetch(), before.refetch()])} />
      ) : rows.length === 0 ? (
        <Empty title="No model executions in this window">
          <p>
            {current.start_date} to {current.end_date} (UTC). Widen the comparison window.
          </p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid="models-table">
            <caption>
              {current.start_date} – {current.end_date} against {previous.start_date} – {previous.end_date} (UTC dates)
            </caption>
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th
                    key={column.key}
                    scope="col"
                    className={column.numeric ? 'num' : ''}
                    aria-sort={sort === column.key ? (descending ? 'descending' : 'ascending') : 'none'}
                  >
                    <button type="button" className="sort" onClick={() => sortBy(column.key)}>
                      {column.label}
                      <span aria-hidden="true">{sort === column.key ? (descending ? ' ▼' : ' ▲') : ''}</span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.model_name} className={row.regression ? 'regression' : ''} data-model={row.model_name} data-regression={row.regression}>
                  <th scope="row">{row.model_name}</th>
                  <td className="num">{count(row.total_executions)}</td>
                  <td className="num">{duration(row.p50_duration_seconds)}</td>
                  <td className="num">{duration(row.p95_duration_seconds)}</td>
                  <td className="num">{duration(row.min_duration_seconds)}</td>
                  <td className="num">{duration(row.max_duration_seconds)}</td>
                  <td className="num">{count(row.total_rows_processed)}</td>
                  <td className="num">{bytes(row.total_bytes_processed)}</td>
                  <td className="num" title={row.previous_p95 === null ? 'no run in the previous window' : `previous p95 ${duration(row.previous_p95)}`}>
                    {row.change === null ? 'new' : `${row.change > 0 ? '+' : ''}${(row.change * 100).toFixed(1)} %`}
                    {row.regression && <span className="flag"> regression</span>}
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
