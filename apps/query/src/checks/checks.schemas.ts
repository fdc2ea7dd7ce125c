import { ApiProperty } from '@nestjs/swagger';
import { NULLABLE_NUMBER } from '@runstream/http';
import { ModelRegression, RegressionReport, SlaBreach, SlaReport } from './checks';

/** The checks' answers as OpenAPI schemas; each class `implements` what the service returns. */
export class SlaBreachSchema implements SlaBreach {
  @ApiProperty({ format: 'date', description: 'UTC day' }) date!: string;
  @ApiProperty({ description: 'Exact p95 of the day, above the threshold' }) p95_duration_seconds!: number;
  @ApiProperty(NULLABLE_NUMBER) max_duration_seconds!: number | null;
  @ApiProperty() total_runs!: number;
}

export class SlaReportSchema implements SlaReport {
  @ApiProperty() threshold_seconds!: number;
  @ApiProperty() days!: number;
  @ApiProperty({ type: [SlaBreachSchema], description: 'Oldest first' }) breaches!: SlaBreachSchema[];
  @ApiProperty() total!: number;
}

export class ModelRegressionSchema implements ModelRegression {
  @ApiProperty() model_name!: string;
  @ApiProperty() previous_p95_seconds!: number;
  @ApiProperty() current_p95_seconds!: number;
  @ApiProperty({ description: '(current − previous) / previous × 100, one decimal' }) change_percent!: number;
}

export class RegressionReportSchema implements RegressionReport {
  @ApiProperty() min_change!: number;
  @ApiProperty({ type: [ModelRegressionSchema] }) regressions!: ModelRegressionSchema[];
  @ApiProperty() total!: number;
}
