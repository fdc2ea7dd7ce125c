import { UseGuards } from '@nestjs/common';
import { BodyShapeGuard, BodyShapeLimits, MAX_BODY_DEPTH } from '@runstream/http';
import { MAX_TELEMETRY_SAMPLES } from '@runstream/events';
import { IdempotencyGuard } from '../idempotency/idempotency.guard';

/** The longest array a write takes is telemetrySamples, the most keys a telemetrySummary. */
export const INGEST_BODY_SHAPE: BodyShapeLimits = { maxDepth: MAX_BODY_DEPTH, maxArrayItems: MAX_TELEMETRY_SAMPLES, maxObjectKeys: 64 };

/**
 * Lines a `logEntries` replace may send: any array the body's shape admits. The log is "capped at
 * 500 lines server-side" (the reference), so a longer replace keeps its last MAX_LOG_ENTRIES.
 */
export const MAX_LOG_ENTRIES_SENT = INGEST_BODY_SHAPE.maxArrayItems;

/**
 * The checks every write controller runs after the global auth guard and before the validation
 * pipe, in this order: the body's shape (before the idempotency fingerprint and the pipe walk
 * it), then the Idempotency-Key, whose handlers wrap their write in @Idempotent(). Guards rather than
 * interceptors: any interceptor costs every request rxjs and Nest's AsyncResource.bind.
 */
export const WriteGuards = (): ClassDecorator & MethodDecorator => UseGuards(new BodyShapeGuard(INGEST_BODY_SHAPE), IdempotencyGuard);
