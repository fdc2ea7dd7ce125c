import { ACCEPTED_STATUS_WORDS, LOG_LEVELS, LogLevel, MAX_LOG_ENTRIES, MAX_TELEMETRY_SAMPLES, TelemetryValue } from '@runstream/events';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsISO8601, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsTelemetrySample, IsTelemetrySamples, IsTelemetrySummary } from './telemetry.validators';

export const MAX_MESSAGE_LENGTH = 10_000;

export class AppendLogDto {
  @IsIn(LOG_LEVELS)
  level!: LogLevel;

  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message!: string;
}

/** A line of a replaced log: the same shape GET returns. */
export class LogEntryDto extends AppendLogDto {
  @IsISO8601({ strict: true })
  at!: string;
}

/**
 * PATCH /api/elt/runs/:id and /api/agent/runs/:id (reference/runs-logs-telemetry.txt).
 * Every field present is applied together, as one event.
 */
export class PatchRunDto {
  /** Runner vocabulary (queued, running, succeeded, ...) or canonical names. */
  @IsOptional()
  @IsIn(ACCEPTED_STATUS_WORDS)
  status?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  startedAt?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  finishedAt?: string;

  /** Sanitized error text; credentials are scrubbed before it is stored. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  errorSummary?: string;

  /** One line; the server sets `at` to the request time. */
  @IsOptional()
  @ValidateNested()
  @Type(() => AppendLogDto)
  appendLog?: AppendLogDto;

  /** Replaces the whole log; at most the cap, which is what the run can hold. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LOG_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => LogEntryDto)
  logEntries?: LogEntryDto[];

  /** Shallow-merged into the summary: rowsLoaded, bytesLoaded, progress (0-100), currentPhase, currentResource, other scalars. */
  @IsOptional()
  @IsTelemetrySummary()
  telemetrySummary?: Record<string, TelemetryValue>;

  /** One point: optional `at` (default: now) and numeric measurements. */
  @IsOptional()
  @IsTelemetrySample()
  appendTelemetrySample?: Record<string, number | string>;

  /** Replaces every sample (e.g. post-run backfill). */
  @IsOptional()
  @IsTelemetrySamples(MAX_TELEMETRY_SAMPLES)
  telemetrySamples?: Record<string, number | string>[];
}
