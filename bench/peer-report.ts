/** Section 5, rendered from the peer's figures. */
import { pass } from './context';
import { EXECUTIONS_PER_RUN } from './dataset';
import type { PeerResult, PeerSize } from './peer';
import { INDEXES, PORT } from './peer-server';
import { count } from './queries-report';
import { REQUESTS } from './queries';

/** Ours p50 against PostgreSQL's per endpoint at every size, and whether ours is never slower. */
function everySize(sizes: PeerSize[]): string {
  const rows = sizes[0].rows.map(
    (row, r) =>
      `| ${row.endpoint} | ${sizes.map((s) => `${s.rows[r].ours.p50} / ${s.rows[r].postgres.p50}${s.rows[r].ours.p50 <= s.rows[r].postgres.p50 ? '' : ' ✗'}`).join(' | ')} |`,
  );
  const cells = sizes.flatMap((s) => s.rows);
  const slower = cells.filter((r) => r.ours.p50 > r.postgres.p50).length;
  const loads = sizes.map((s) => `${count(s.executions)}: ${Math.round((s.loadMs.copy + s.loadMs.index) / 1000)} s`).join(', ');
  return `
### At every size of the growth table: ours p50 / PostgreSQL p50 ms

The peer is loaded and measured at each size of section 7 in turn (same requests, drawn from that size's sample of runs);
✗ marks a cell where ours is slower. Load (COPY, indexes, vacuum) per size: ${loads}.

| endpoint | ${sizes.map((s) => `${count(s.executions)} executions`).join(' | ')} |
|---|${sizes.map(() => '---|').join('')}
${rows.join('\n')}

Target: every endpoint's p50 ≤ PostgreSQL's p50 at every size: ${pass(slower === 0)}${slower ? ` (ours slower in ${slower} of ${cells.length} cells)` : ''}.
`;
}

export function peerReport(p: PeerResult): string {
  // Two decimals below 1×, where one would round a tenfold difference to 0.
  const ratio = (theirs: number, ours: number) => (theirs < ours ? Math.round((theirs / ours) * 100) / 100 : Math.round((theirs / ours) * 10) / 10);
  const lines = p.rows.map((r) => {
    const r50 = ratio(r.postgres.p50, r.ours.p50);
    const r95 = ratio(r.postgres.p95, r.ours.p95);
    const rMax = ratio(r.postgres.max, r.ours.max);
    return `| ${r.name} | ${r.ours.p50} / ${r.ours.p95} / ${r.ours.max} | ${r.postgres.p50} / ${r.postgres.p95} / ${r.postgres.max} | ${r50}× / ${r95}× / ${rMax}× | ${r.stats ? `≥ 10× (p50 and p95): ${pass(Math.min(r50, r95) >= 10)}` : '–'} |`;
  });
  return `## 5. Peer: the same data in PostgreSQL

The data set of section 4 (${p.runs.toLocaleString('en')} runs, ${p.executions.toLocaleString('en')} executions, ${EXECUTIONS_PER_RUN} per run), exported from ClickHouse and
COPied into PostgreSQL (Debian's package, started by the bench on port ${PORT} with shared_buffers 4 GB, work_mem 256 MB,
parallel workers on). Indexes: ${INDEXES.map((i) => `\`${i.replace(/^CREATE (UNIQUE )?INDEX \S+ ON /, '')}\``).join(', ')}, then
VACUUM ANALYZE. Export ${Math.round(p.loadMs.export / 1000)} s, COPY ${Math.round(p.loadMs.copy / 1000)} s, indexes and vacuum ${Math.round(p.loadMs.index / 1000)} s.
PostgreSQL runs the equivalent SQL (bench/peer-queries.ts) for the same ${REQUESTS} requests (same projects, windows, filters and pages)
through node-postgres, timed client-side; ours are the HTTP latencies of section 4, so ours include HTTP, auth and JSON and
PostgreSQL's do not.

| query | ours p50 / p95 / max ms | PostgreSQL p50 / p95 / max ms | PostgreSQL ÷ ours (p50 / p95 / max) | target |
|---|---|---|---|---|
${lines.join('\n')}
${
  p.rows.every((r) => !r.stats || Math.min(ratio(r.postgres.p50, r.ours.p50), ratio(r.postgres.p95, r.ours.p95)) >= 10)
    ? ''
    : `
### Why the peer target is missed, and what would close it

The typical request reads a small project: PostgreSQL answers it from its B-tree in well under a millisecond to a few ms,
and its times here leave out HTTP, authentication and JSON, while every request here pays section 4's fixed cost: ~10 ms,
of which ~7.5 ms is the engine opening and decompressing each column's block in each monthly part to read even one run
(section 4's floor measures the same). ClickHouse pulls ahead where the scan is large (the p95 and max columns: the largest
projects), and the gap widens with data (section 7). Closing the typical case means cutting that fixed cost (a ClickHouse
server, fewer parts per read, a narrower row for point reads, or hot rows served from the query app's cache, as the one-run
concurrency row shows), not faster scans. Measured on copies of \`runs\`, other order keys, finer granules and fewer
partitions did not cut it (section 4).
`
}${p.sizes ? everySize(p.sizes) : ''}`;
}
