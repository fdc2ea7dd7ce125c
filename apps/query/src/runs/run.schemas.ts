import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NULLABLE_NUMBER, NULLABLE_TIME } from '@runstream/http';
import { DailyStats } from './daily-stats';
import { JobRun, RunListItem, RunListResponse, RunStats, RunSummary } from './run.response';
import { EltRun, LogLine, RunLogsResponse } from './run.service';

/**
 * The runs routes' answers as OpenAPI schemas (clients generate their types from them). Each class
 * `implements` the type the service returns, so the compiler keeps the two the same.
 */

export class RunSummarySchema implements RunSummary {
  @ApiProperty({ example: 'run_01a2…' }) id!: string;
  @ApiProperty() project_id!: string;
  @ApiProperty() job_name!: string;
  @ApiProperty() cronjob_name!: string;
  @ApiProperty({ description: 'plan, run, janitor or empty' }) job_type!: string;
  @ApiProperty({ description: 'pending, running, success, partial, failed, error, cancelled' }) status!: string;
  @ApiProperty(NULLABLE_TIME) start_time!: string | null;
  @ApiProperty(NULLABLE_TIME) end_time!: string | null;
  @ApiProperty(NULLABLE_NUMBER) duration_seconds!: number | null;
  @ApiProperty() triggered_by!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class RunListItemSchema extends RunSummarySchema implements RunListItem {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "The run's telemetry summary (the write API's telemetrySummary, shallow-merged); only with include_telemetry=true",
    example: { rowsLoaded: 125000, bytesLoaded: 52428800, progress: 40, currentPhase: 'load' },
  })
  telemetry_summary?: Record<string, unknown>;
}

export class RunStatsSchema implements RunStats {
  @ApiProperty() project_id!: string;
  @ApiProperty() total_runs!: number;
  @ApiProperty() successful_runs!: number;
  @ApiProperty() failed_runs!: number;
  @ApiProperty() error_runs!: number;
  @ApiProperty(NULLABLE_NUMBER) avg_success_duration!: number | null;
}

export class RunListSchema implements RunListResponse {
  @ApiProperty({ type: [RunListItemSchema] }) runs!: RunListItemSchema[];
  @ApiPropertyOptional({ type: RunStatsSchema, description: 'Over the same filter; absent with include_stats=false' }) stats?: RunStatsSchema;
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() limit!: number;
  @ApiProperty({ description: '0 for an empty list' }) total_pages!: number;
}

export class JobRunSchema extends RunSummarySchema implements JobRun {
  @ApiProperty() job_id!: string;
  @ApiProperty() namespace!: string;
}

export class DailyStatsSchema implements DailyStats {
  @ApiProperty({ format: 'date', description: 'UTC day' }) date!: string;
  @ApiPropertyOptional({ description: 'Present when the cronjob_name filter was given' }) cronjob_name?: string;
  @ApiProperty() total_runs!: number;
  @ApiProperty() success_count!: number;
  @ApiProperty() partial_count!: number;
  @ApiProperty() failed_count!: number;
  @ApiProperty() other_count!: number;
  @ApiProperty(NULLABLE_NUMBER) avg_duration_seconds!: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Exact (percentile_cont semantics)' }) p95_duration_seconds!: number | null;
  @ApiProperty(NULLABLE_NUMBER) max_duration_seconds!: number | null;
}

export class DailyStatsListSchema {
  @ApiProperty({ type: [DailyStatsSchema] }) daily_stats!: DailyStatsSchema[];
  @ApiProperty() total_days!: number;
}

export class LogLineSchema implements LogLine {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['info', 'warn', 'error'] }) level!: string;
  @ApiProperty({ description: 'Scrubbed of secrets at ingest' }) message!: string;
}

export class RunLogsSchema implements RunLogsResponse {
  @ApiProperty() run_id!: string;
  @ApiProperty({ type: [LogLineSchema], description: 'At most the newest 500, oldest first' }) logs!: LogLineSchema[];
  @ApiProperty() total!: number;
}

const freeObject = { type: 'object', additionalProperties: true } as const;

export class EltTelemetrySchema {
  @ApiProperty({ ...freeObject, description: 'The latest telemetrySummary (rowsLoaded, bytesLoaded, progress, currentPhase, …)' }) summary!: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: 'array', items: freeObject, description: 'Samples, oldest first, each with `at`' }) samples!: Record<string, unknown>[];
}

export class EltRunSchema implements EltRun {
  @ApiProperty() id!: string;
  @ApiProperty() projectId!: string;
  @ApiProperty() jobId!: string;
  @ApiProperty() jobName!: string;
  @ApiProperty() cronjobName!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() jobType!: string;
  @ApiProperty() triggeredBy!: string;
  @ApiProperty() targetGateway!: string;
  @ApiProperty() claimedBy!: string;
  @ApiProperty() status!: string;
  @ApiProperty(NULLABLE_TIME) startedAt!: string | null;
  @ApiProperty(NULLABLE_TIME) finishedAt!: string | null;
  @ApiProperty(NULLABLE_NUMBER) durationSeconds!: number | null;
  @ApiProperty() errorSummary!: string;
  @ApiProperty({ type: [LogLineSchema] }) logEntries!: LogLineSchema[];
  @ApiProperty({ type: EltTelemetrySchema }) telemetry!: EltTelemetrySchema;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
