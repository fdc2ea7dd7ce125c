import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ACCEPTED_STATUS_WORDS, LOG_LEVELS, LogLevel, MAX_LOG_ENTRIES, MAX_TELEMETRY_SAMPLES, TelemetryValue } from '@runstream/events';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { MAX_LOG_ENTRIES_SENT } from '../../http/write-guards';
import { IsTimestamp, IsWellFormedText, KeepAsSent } from './field-validators';
import {
  IsTelemetrySample,
  IsTelemetrySamples,
  IsTelemetrySummary,
  MAX_SAMPLE_KEYS,
  MAX_STRING_VALUE,
  MAX_SUMMARY_BYTES,
  MAX_SUMMARY_KEYS,
} from './telemetry.validators';

export const MAX_MESSAGE_LENGTH = 10_000;

export class AppendLogDto {
  @ApiProperty({ enum: LOG_LEVELS })
  @IsIn(LOG_LEVELS)
  level!: LogLevel;

  @ApiProperty({ maxLength: MAX_MESSAGE_LENGTH })
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  @IsWellFormedText()
  message!: string;
}

/** A line of a replaced log: the same shape GET returns. */
export class LogEntryDto extends AppendLogDto {
  @ApiProperty({ format: 'date-time', description: 'RFC 3339, 1900-2299' })
  @IsTimestamp()
  at!: string;
}

/**
 * PATCH /api/elt/runs/:id and /api/agent/runs/:id (docs/write-api.md).
 * Every field present is applied together, as one event. A null field counts as absent.
 */
export class PatchRunDto {
  /** Runner vocabulary (queued, running, succeeded, ...) or canonical names. */
  @ApiPropertyOptional({ enum: ACCEPTED_STATUS_WORDS, description: 'Runner vocabulary or canonical status' })
  @IsOptional()
  @IsIn(ACCEPTED_STATUS_WORDS)
  status?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339, 1900-2299' })
  @IsOptional()
  @IsTimestamp()
  startedAt?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339, 1900-2299' })
  @IsOptional()
  @IsTimestamp()
  finishedAt?: string;

  /** Sanitized error text; credentials are scrubbed before it is stored. */
  @ApiPropertyOptional({ maxLength: MAX_MESSAGE_LENGTH, description: 'Scrubbed of credentials before it is stored' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  @IsWellFormedText()
  errorSummary?: string;

  /** One line; the server sets `at` to the request time. */
  @ApiPropertyOptional({ type: AppendLogDto, description: 'Appends one line; the server sets at' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AppendLogDto)
  appendLog?: AppendLogDto;

  /** Replaces the whole log; the run keeps the last MAX_LOG_ENTRIES of it. */
  @ApiPropertyOptional({
    type: [LogEntryDto],
    maxItems: MAX_LOG_ENTRIES_SENT,
    description: `Replaces the whole log; the run keeps its last ${MAX_LOG_ENTRIES} lines`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LOG_ENTRIES_SENT)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => LogEntryDto)
  logEntries?: LogEntryDto[];

  /** Shallow-merged into the summary: rowsLoaded, bytesLoaded, progress (0-100), currentPhase, currentResource, other scalars. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    maxProperties: MAX_SUMMARY_KEYS,
    description: `Shallow-merged: rowsLoaded, bytesLoaded, progress (0-100), currentPhase, currentResource, other scalars (strings <= ${MAX_STRING_VALUE}, scrubbed); at most ${MAX_SUMMARY_BYTES} bytes of JSON`,
  })
  @IsOptional()
  @KeepAsSent()
  @IsTelemetrySummary()
  telemetrySummary?: Record<string, TelemetryValue>;

  /** One point: optional `at` (default: now) and numeric measurements. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `One point: optional at (RFC 3339) and at most ${MAX_SAMPLE_KEYS} numeric measurements`,
  })
  @IsOptional()
  @KeepAsSent()
  @IsTelemetrySample()
  appendTelemetrySample?: Record<string, number | string>;

  /** Replaces every sample (e.g. post-run backfill). */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    maxItems: MAX_TELEMETRY_SAMPLES,
    description: 'Replaces all samples',
  })
  @IsOptional()
  @KeepAsSent()
  @IsTelemetrySamples(MAX_TELEMETRY_SAMPLES)
  telemetrySamples?: Record<string, number | string>[];
}
