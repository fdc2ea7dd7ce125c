import { createHash, createHmac } from 'node:crypto';

/**
 * BI access (docs/bi.md): which views a BI tool may read, and the DDL that confines an
 * organisation to its own rows of them, on embedded chDB (a database of filtered views per
 * organisation) and on a ClickHouse server (a read-only user per organisation with row policies).
 */

/** The documented views (docs/tables.md) a BI connection sees, and the base tables each reads. */
export const BI_VIEWS: Readonly<Record<string, readonly string[]>> = {
  runs_current: ['runs'],
  run_events_current: ['run_events'],
  run_log_entries_current: ['run_log_entries', 'runs'],
  run_telemetry_samples_current: ['run_telemetry_samples', 'runs'],
  model_executions_current: ['model_executions'],
  run_daily_stats: ['run_daily'],
  model_daily_stats: ['model_executions'],
  jobs_current: ['jobs'],
  webhook_delivery_attempts: ['webhook_deliveries'],
};

/**
 * Views a server user cannot be given: `jobs_current` reads `jobs.environment` and
 * `jobs.webhook_headers` (for their keys), and a view runs with its invoker's rights, so the
 * user would need SELECT on those secret columns. On chDB it is served (docs/bi.md).
 */
export const SERVER_EXCLUDED_VIEWS: ReadonlySet<string> = new Set(['jobs_current']);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${JSON.stringify(name)} is not a plain identifier`);
  return name;
}

/** A ClickHouse string literal: backslash and quote escaped, so any organisation id stays one literal. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Readable part of an organisation id in a name, plus a hash so two ids never share a name. */
function orgKey(orgId: string): string {
  const readable = orgId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 32);
  return `${readable}_${createHash('sha256').update(orgId).digest('hex').slice(0, 10)}`;
}

/** chDB: the database holding an organisation's filtered views; the SQL endpoint runs its callers' queries in it. */
export function biDatabaseFor(orgId: string): string {
  return `bi_${orgKey(orgId)}`;
}

/** Server: the read-only user and role of an organisation (created by `npm run bi -- grant`). */
export function biUserFor(orgId: string): string {
  return `bi_${orgKey(orgId)}`;
}

/**
 * Server: the password of an organisation's BI user, derived from a key only the query app and
 * the CLI know (QUERY_SQL_SERVER_KEY), so no per-organisation secret has to be stored anywhere.
 * BI tools never see it: they authenticate with their API token, the endpoint connects as this user.
 */
export function biPasswordFor(orgId: string, key: string): string {
  return createHmac('sha256', key).update(`bi-user:${orgId}`).digest('base64url');
}

/**
 * chDB: statements that (re)create an organisation's database of views, each the documented
 * view with only that organisation's rows. CREATE OR REPLACE keeps them in step with the code.
 */
export function chdbOrgViewStatements(database: string, orgId: string): string[] {
  const target = identifier(biDatabaseFor(orgId));
  const source = identifier(database);
  return [
    `CREATE DATABASE IF NOT EXISTS ${target}`,
    ...Object.keys(BI_VIEWS).map(
      (view) => `CREATE OR REPLACE VIEW ${target}.${view} AS SELECT * FROM ${source}.${view} WHERE org_id = ${stringLiteral(orgId)}`,
    ),
  ];
}

/** Server: the views granted to BI users. */
export function serverViews(): string[] {
  return Object.keys(BI_VIEWS).filter((view) => !SERVER_EXCLUDED_VIEWS.has(view));
}

/** Server: the base tables those views read, each with a row policy per organisation. */
export function serverTables(): string[] {
  return [...new Set(serverViews().flatMap((view) => BI_VIEWS[view]))].sort();
}

export interface GrantOptions {
  database: string;
  orgId: string;
  /** Password of the BI user (biPasswordFor). */
  password: string;
  /** The user(s) the apps connect as: once a table has a row policy, users without one see no rows. */
  appUsers: string[];
  maxExecutionSeconds: number;
  maxMemoryBytes: number;
  maxResultRows: number;
  maxResultBytes: number;
}

/**
 * Server: a read-only user for one organisation. readonly = 2 (no writes, no DDL; format and
 * client settings such as default_format may still be sent, as BI clients do) and the limits
 * are CONST constraints, so neither SETTINGS nor URL parameters change them, the mode or query
 * logging (a SETTINGS clause may still set what the profile leaves free); it may SELECT the documented views and (views
 * run with the invoker's rights) their base tables, whose row policies show it only its
 * organisation's rows. It has no other grant: no table
 * functions (they need CREATE TEMPORARY TABLE and source grants), no other tables.
 */
export function serverGrantStatements(options: GrantOptions): string[] {
  const db = identifier(options.database);
  const user = identifier(biUserFor(options.orgId));
  const profile = `${user}_limits`;
  const views = serverViews();
  const tables = serverTables();
  const apps = options.appUsers.map(identifier);
  return [
    `CREATE SETTINGS PROFILE OR REPLACE ${profile} SETTINGS readonly = 2 CONST, max_execution_time = ${options.maxExecutionSeconds} CONST, ` +
      `max_memory_usage = ${options.maxMemoryBytes} CONST, max_result_rows = ${options.maxResultRows} CONST, ` +
      `max_result_bytes = ${options.maxResultBytes} CONST, result_overflow_mode = 'throw' CONST, log_queries = 1 CONST`,
    `CREATE USER OR REPLACE ${user} IDENTIFIED WITH sha256_password BY ${stringLiteral(options.password)} DEFAULT DATABASE ${db} SETTINGS PROFILE ${stringLiteral(profile)}`,
    ...views.map((view) => `GRANT SELECT ON ${db}.${view} TO ${user}`),
    ...tables.map((table) => `GRANT SELECT ON ${db}.${table} TO ${user}`),
    ...tables.map(
      (table) => `CREATE ROW POLICY OR REPLACE ${user} ON ${db}.${table} AS PERMISSIVE FOR SELECT USING org_id = ${stringLiteral(options.orgId)} TO ${user}`,
    ),
    ...tables.map((table) => `CREATE ROW POLICY OR REPLACE runstream_apps ON ${db}.${table} AS PERMISSIVE FOR SELECT USING 1 TO ${apps.join(', ')}`),
  ];
}

/** Server: what `npm run bi -- revoke` runs; the apps' policies stay (other organisations may still have users). */
export function serverRevokeStatements(database: string, orgId: string): string[] {
  const db = identifier(database);
  const user = identifier(biUserFor(orgId));
  const tables = serverTables();
  return [
    `DROP USER IF EXISTS ${user}`,
    ...tables.map((table) => `DROP ROW POLICY IF EXISTS ${user} ON ${db}.${table}`),
    `DROP SETTINGS PROFILE IF EXISTS ${user}_limits`,
  ];
}
