import { ApiProperty } from '@nestjs/swagger';
import { Execution, ModelStats } from './execution.response';
import { ExecutionListResponse } from './execution.service';

/** The model-execution routes' answers as OpenAPI schemas; each class `implements` what the service returns. */
const nullableTime = { type: String, format: 'date-time', nullable: true } as const;
const nullableNumber = { type: Number, nullable: true } as const;

export class ExecutionSchema implements Execution {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The run that reported it' }) job_run_id!: string;
  @ApiProperty() project_id!: string;
  @ApiProperty() model_name!: string;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty(nullableTime) completed_at!: string | null;
  @ApiProperty(nullableNumber) duration_seconds!: number | null;
  @ApiProperty({ description: 'success, failed, error, skipped, …' }) status!: string;
  @ApiProperty(nullableNumber) rows_processed!: number | null;
  @ApiProperty(nullableNumber) bytes_processed!: number | null;
  @ApiProperty(nullableTime) interval_start!: string | null;
  @ApiProperty(nullableTime) interval_end!: string | null;
  @ApiProperty() cronjob_name!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class ExecutionListSchema implements ExecutionListResponse {
  @ApiProperty({ type: [ExecutionSchema] }) executions!: ExecutionSchema[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() total_pages!: number;
}

export class ModelStatsSchema implements ModelStats {
  @ApiProperty() project_id!: string;
  @ApiProperty() model_name!: string;
  @ApiProperty() total_executions!: number;
  @ApiProperty() successful_executions!: number;
  @ApiProperty({ description: 'failed or error' }) failed_executions!: number;
  @ApiProperty(nullableNumber) avg_duration_seconds!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'Exact' }) p50_duration_seconds!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'Exact' }) p95_duration_seconds!: number | null;
  @ApiProperty(nullableNumber) max_duration_seconds!: number | null;
  @ApiProperty(nullableNumber) min_duration_seconds!: number | null;
  @ApiProperty() total_rows_processed!: number;
  @ApiProperty(nullableNumber) avg_rows_processed!: number | null;
  @ApiProperty() total_bytes_processed!: number;
  @ApiProperty(nullableNumber) avg_bytes_processed!: number | null;
  @ApiProperty(nullableTime) last_execution_time!: string | null;
}

export class ModelStatsListSchema {
  @ApiProperty({ type: [ModelStatsSchema] }) stats!: ModelStatsSchema[];
  @ApiProperty() total!: number;
}
