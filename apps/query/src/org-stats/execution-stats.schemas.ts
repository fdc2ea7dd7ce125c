import { ApiProperty } from '@nestjs/swagger';
import { NULLABLE_TIME } from '@runstream/http';
import { EXECUTION_STATUSES, ExecutionStatsData, ExecutionStatus } from './execution-stats';
import { ExecutionStatsResponse } from './execution-stats.service';

/** GET /v1/executions/stats as OpenAPI schemas; each class `implements` what the service returns. */
type RecentFailure = ExecutionStatsData['recentFailures'][number];

class CountsSchema {
  @ApiProperty() succeeded!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty() total!: number;
}

class RecentFailureSchema implements RecentFailure {
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() executionId!: string;
  @ApiProperty(NULLABLE_TIME) finishedAt!: string | null;
  @ApiProperty() runId!: string;
  @ApiProperty() sourceSystem!: string;
  @ApiProperty({ enum: EXECUTION_STATUSES }) status!: ExecutionStatus;
  @ApiProperty() statusReason!: string;
  @ApiProperty() workflowId!: string;
}

class SourceSystemSchema extends CountsSchema {
  @ApiProperty() sourceSystem!: string;
}

class StatusCountSchema {
  @ApiProperty() count!: number;
  @ApiProperty({ enum: EXECUTION_STATUSES }) status!: ExecutionStatus;
}

class SummarySchema {
  @ApiProperty() averageDurationMs!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() inProgress!: number;
  @ApiProperty() succeeded!: number;
  @ApiProperty({ description: 'succeeded / terminal as a fraction from 0 to 1, 4 decimals (0 when nothing finished)', example: 0.75 }) successRate!: number;
  @ApiProperty() terminal!: number;
  @ApiProperty() total!: number;
}

class TimeBucketSchema extends CountsSchema {
  @ApiProperty({ format: 'date-time' }) bucketStart!: string;
}

class ExecutionStatsDataSchema implements ExecutionStatsData {
  @ApiProperty({ enum: ['hourly', 'daily'] }) granularity!: string;
  @ApiProperty({ type: [RecentFailureSchema] }) recentFailures!: RecentFailureSchema[];
  @ApiProperty({ type: [SourceSystemSchema] }) sourceSystems!: SourceSystemSchema[];
  @ApiProperty({ type: [StatusCountSchema] }) statuses!: StatusCountSchema[];
  @ApiProperty({ type: SummarySchema }) summary!: SummarySchema;
  @ApiProperty({ type: [TimeBucketSchema] }) timeSeries!: TimeBucketSchema[];
}

export class ExecutionStatsSchema implements ExecutionStatsResponse {
  @ApiProperty({ example: 200 }) code!: number;
  @ApiProperty({ type: ExecutionStatsDataSchema }) data!: ExecutionStatsDataSchema;
  @ApiProperty() message!: string;
  @ApiProperty() requestId!: string;
}
