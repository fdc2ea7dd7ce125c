import { ApiProperty } from '@nestjs/swagger';
import { NULLABLE_NUMBER, NULLABLE_TIME } from '@runstream/http';
import { Execution, ModelStats } from './execution.response';
import { ExecutionListResponse } from './execution.service';

/** The model-execution routes' answers as OpenAPI schemas; each class `implements` what the service returns. */

export class ExecutionSchema implements Execution {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The run that reported it' }) job_run_id!: string;
  @ApiProperty() project_id!: string;
  @ApiProperty() model_name!: string;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty(NULLABLE_TIME) completed_at!: string | null;
  @ApiProperty(NULLABLE_NUMBER) duration_seconds!: number | null;
  @ApiProperty({ description: 'success, failed, error, skipped, …' }) status!: string;
  @ApiProperty(NULLABLE_NUMBER) rows_processed!: number | null;
  @ApiProperty(NULLABLE_NUMBER) bytes_processed!: number | null;
  @ApiProperty(NULLABLE_TIME) interval_start!: string | null;
  @ApiProperty(NULLABLE_TIME) interval_end!: string | null;
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
  @ApiProperty(NULLABLE_NUMBER) avg_duration_seconds!: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Exact' }) p50_duration_seconds!: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Exact' }) p95_duration_seconds!: number | null;
  @ApiProperty(NULLABLE_NUMBER) max_duration_seconds!: number | null;
  @ApiProperty(NULLABLE_NUMBER) min_duration_seconds!: number | null;
  @ApiProperty() total_rows_processed!: number;
  @ApiProperty(NULLABLE_NUMBER) avg_rows_processed!: number | null;
  @ApiProperty() total_bytes_processed!: number;
  @ApiProperty(NULLABLE_NUMBER) avg_bytes_processed!: number | null;
  @ApiProperty(NULLABLE_TIME) last_execution_time!: string | null;
}

export class ModelStatsListSchema {
  @ApiProperty({ type: [ModelStatsSchema] }) stats!: ModelStatsSchema[];
  @ApiProperty() total!: number;
}
