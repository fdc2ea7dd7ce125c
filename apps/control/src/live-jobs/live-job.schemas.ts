import { ApiProperty } from '@nestjs/swagger';
import { NULLABLE_TIME } from '@runstream/http';
import { LIVE_JOB_STATUSES, LiveJob, LiveJobDetail, LiveJobLogs, LiveJobStatus } from '../kubernetes/live-jobs';

/** GET /api/v1/jobs answers as OpenAPI schemas; each class `implements` what the source returns. */
export class LiveJobSchema implements LiveJob {
  @ApiProperty({ description: 'Execution name (Kubernetes Job name = the run job_name)' }) id!: string;
  @ApiProperty({ description: 'Project id' }) project!: string;
  @ApiProperty({ enum: LIVE_JOB_STATUSES }) status!: LiveJobStatus;
  @ApiProperty(NULLABLE_TIME) start_time!: string | null;
}

export class LiveJobListSchema {
  @ApiProperty({ type: [LiveJobSchema] }) jobs!: LiveJobSchema[];
  @ApiProperty({ description: 'Matches before the limit' }) total!: number;
}

export class LiveJobDetailSchema extends LiveJobSchema implements LiveJobDetail {
  @ApiProperty() job_id!: string;
  @ApiProperty({ type: String, nullable: true }) run_id!: string | null;
  @ApiProperty(NULLABLE_TIME) completion_time!: string | null;
  @ApiProperty() namespace!: string;
}

export class LiveJobLogsSchema implements LiveJobLogs {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The pod read; null while the Job has none yet' }) pod!: string | null;
  @ApiProperty({ type: [String] }) lines!: string[];
}
