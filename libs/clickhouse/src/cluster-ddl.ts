/**
 * Turns the single-node migration DDL into DDL for a replicated ClickHouse cluster (one shard,
 * n replicas). The files stay written for one server (chDB and a single server run them as they
 * are, and their checksums are taken on the files); with CLICKHOUSE_CLUSTER set, each statement
 * is rewritten here just before it runs.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Where each replicated table keeps its replication log in Keeper. {shard} and {replica} are
 * macros every server of the cluster defines (<macros> in its config); {database} and {table}
 * the server fills in itself, so one path serves every table and database.
 */
export const REPLICA_PATH = "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'";

/**
 * DDL that only changes the server it reaches unless it says ON CLUSTER: tables, views,
 * materialized views and the database itself are created on every server, and an ALTER has to
 * reach every replica's table definition. The name is the first token after the keywords
 * (`{db:Identifier}.runs`, `runs`), and ON CLUSTER goes right after it, where ClickHouse wants it.
 */
const ON_CLUSTER_TARGET = /^(\s*(?:CREATE\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW|DATABASE)\s+(?:IF\s+NOT\s+EXISTS\s+)?|ALTER\s+TABLE\s+))([^\s(]+)/i;

/**
 * The MergeTree family keeps its data on the one server it runs on; the Replicated variant of
 * each engine copies every insert and merge to the other replicas. The replication path and
 * replica name come first, then the engine's own parameters (a version column, ...) unchanged and
 * in order. The parameters may hold one level of nested parentheses (a tuple of columns).
 */
const MERGE_TREE_ENGINE =
  /\bENGINE\s*=\s*(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite)?MergeTree\b(?:\s*\(((?:[^()]|\([^()]*\))*)\))?/gi;

/** The statement rewritten for `cluster`; a statement with ON CLUSTER already is left alone. */
export function renderForCluster(sql: string, cluster: string): string {
  if (!IDENTIFIER.test(cluster)) throw new Error(`cluster name ${JSON.stringify(cluster)} is not a plain identifier`);
  if (/\bON\s+CLUSTER\b/i.test(sql)) return sql;
  return sql
    .replace(ON_CLUSTER_TARGET, (_match, head: string, name: string) => `${head}${name} ON CLUSTER ${cluster}`)
    .replace(MERGE_TREE_ENGINE, (_match, variant: string | undefined, params: string | undefined) => {
      const own = params?.trim() ? `, ${params.trim()}` : '';
      return `ENGINE = Replicated${variant ?? ''}MergeTree(${REPLICA_PATH}${own})`;
    });
}
