/**
 * The ingest benchmark's baseline: bare Fastify on the same machine, parsing the same JSON
 * body and answering 202, with no validation, no Kafka and no Nest. Prints its port.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 1024 * 1024 });
app.patch('/api/elt/runs/:id', async (request, reply) => {
  const body = request.body as Record<string, unknown>;
  return reply.code(202).send({ id: (request.params as { id: string }).id, fields: Object.keys(body).length });
});
app.listen({ port: 0, host: '127.0.0.1' }).then((address) => process.stdout.write(`${address}\n`));
