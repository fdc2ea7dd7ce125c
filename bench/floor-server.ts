/**
 * Section 4's floor baseline, the least a read by id can cost here: Fastify, the bearer-token
 * check the query app makes (libs/auth's TokenService against the same token table, behind the
 * same cache), and one chDB SELECT of one run by its full key through the client libs/clickhouse
 * gives the apps, answered as JSON. No Nest, no validation, no run cache, no response mapping.
 * Reads CLICKHOUSE_PATH and CLICKHOUSE_DATABASE (chDB binds its directory to one process, so
 * this runs while the query app does not); prints its URL.
 */
import { TokenService } from '@runstream/auth';
import { FINAL_WITHIN_PARTITIONS, openClickHouse, RunRowSchema } from '@runstream/clickhouse';
import Fastify from 'fastify';

async function main(): Promise<void> {
  const store = openClickHouse({ path: process.env.CLICKHOUSE_PATH ?? '', database: process.env.CLICKHOUSE_DATABASE ?? 'runstream' });
  const tokens = new TokenService(store);
  const app = Fastify();
  app.get<{ Params: { project: string; id: string } }>('/floor/projects/:project/runs/:id', async (request, reply) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const caller = bearer ? await tokens.verify(bearer[1]) : undefined;
    if (!caller) return reply.code(401).send({ message: 'invalid or revoked token' });
    const organization = request.headers['x-organization-id'];
    if (caller.kind !== 'user' || (organization !== undefined && organization !== caller.orgId)) return reply.code(403).send({ message: 'forbidden' });
    const [run] = await store.query(
      RunRowSchema,
      `SELECT * FROM {db:Identifier}.runs FINAL
       WHERE org_id = {org_id:String} AND project_id = {project_id:String} AND id = {id:String} LIMIT 1`,
      { org_id: caller.orgId, project_id: request.params.project, id: request.params.id },
      FINAL_WITHIN_PARTITIONS,
    );
    return run ? reply.send(run) : reply.code(404).send({ message: 'run not found' });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${address}\n`);
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
