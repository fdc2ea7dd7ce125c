/**
 * The ingest benchmark's second baseline, this design's ceiling on this machine: Fastify
 * parsing the same PATCH body, validating it with a compiled JSON schema (Fastify's Ajv), and
 * publishing one event through the same publisher (libs/kafka: idempotent, acks=all, the same
 * lanes and group commit) before answering 202. No Nest, no auth, no scrub, no run lookup.
 * Reads KAFKA_BROKERS; prints its URL.
 */
import { encodeEvent, RunEventEnvelope, uuidv7 } from '@runstream/events';
import { createKafka, ensureTopics, KafkajsPublisher } from '@runstream/kafka';
import Fastify from 'fastify';

const TOPIC = 'bench.ceiling.runs.events.v1';

const telemetry = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rowsLoaded: { type: 'integer', minimum: 0 },
    bytesLoaded: { type: 'integer', minimum: 0 },
    progress: { type: 'number', minimum: 0, maximum: 100 },
    currentPhase: { type: 'string', maxLength: 64 },
  },
} as const;

const patchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled'] },
    appendLog: {
      type: 'object',
      additionalProperties: false,
      required: ['level', 'message'],
      properties: { level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'] }, message: { type: 'string', maxLength: 65_536 } },
    },
    telemetrySummary: telemetry,
    appendTelemetrySample: telemetry,
  },
} as const;

interface PatchBody {
  status?: string;
  appendLog?: { level: string; message: string };
  telemetrySummary?: Record<string, unknown>;
  appendTelemetrySample?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'bench-ceiling' });
  await ensureTopics(kafka, [{ topic: TOPIC, numPartitions: 6 }]);
  const publisher = new KafkajsPublisher(kafka, { deadlineMs: 5_000, topics: [TOPIC] });
  await publisher.connect();
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.patch<{ Params: { id: string }; Body: PatchBody }>('/api/elt/runs/:id', { schema: { body: patchSchema } }, async (request, reply) => {
    const now = new Date().toISOString();
    const event = {
      event_id: uuidv7(),
      type: 'run.patched',
      schema_version: 1,
      org_id: 'bench',
      project_id: 'proj_bench',
      run_id: request.params.id,
      occurred_at: now,
      actor: 'tok_bench',
      payload: { ...request.body, received_at: now },
    } as unknown as RunEventEnvelope;
    await publisher.publish(TOPIC, [{ key: request.params.id, value: encodeEvent(event) }]);
    return reply.code(202).send({ id: request.params.id, eventId: event.event_id });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${address}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
