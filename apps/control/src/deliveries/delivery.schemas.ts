import { ApiProperty } from '@nestjs/swagger';
import { NULLABLE_NUMBER, NULLABLE_TIME } from '@runstream/http';
import { AttemptResponse, DeliveryDetailResponse, DeliveryListResponse, DeliveryResponse, TestEventResponse } from './delivery.response';

/** The deliveries routes' answers as OpenAPI schemas; each class `implements` what the service returns. */
export class DeliverySchema implements DeliveryResponse {
  @ApiProperty({ description: 'The series id, also the webhook-id header (msg_…)' }) id!: string;
  @ApiProperty({ enum: ['webhook', 'slack'] }) channel!: string;
  @ApiProperty() run_id!: string;
  @ApiProperty({ description: 'started, success, failure, cancelled, or test' }) event!: string;
  @ApiProperty({ description: 'Where it goes (the URL host, or the Slack channel)' }) endpoint!: string;
  @ApiProperty({ description: 'pending, retrying, delivered, failed, disabled' }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty(NULLABLE_NUMBER) last_response_code!: number | null;
  @ApiProperty() last_error!: string;
  @ApiProperty({ format: 'date-time' }) first_attempted_at!: string;
  @ApiProperty({ format: 'date-time' }) last_attempted_at!: string;
  @ApiProperty(NULLABLE_TIME) next_attempt_at!: string | null;
}

export class AttemptSchema implements AttemptResponse {
  @ApiProperty() attempt!: number;
  @ApiProperty() status!: string;
  @ApiProperty(NULLABLE_NUMBER) response_code!: number | null;
  @ApiProperty() error!: string;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ format: 'date-time' }) attempted_at!: string;
  @ApiProperty(NULLABLE_TIME) next_attempt_at!: string | null;
}

export class DeliveryDetailSchema extends DeliverySchema implements DeliveryDetailResponse {
  @ApiProperty({ type: [AttemptSchema], description: 'Every attempt, first to last' }) attempt_log!: AttemptSchema[];
}

export class DeliveryListSchema implements DeliveryListResponse {
  @ApiProperty({ type: [DeliverySchema] }) deliveries!: DeliverySchema[];
}

export class TestEventSchema implements TestEventResponse {
  @ApiProperty() delivery_id!: string;
  @ApiProperty() status!: string;
  @ApiProperty(NULLABLE_NUMBER) response_code!: number | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty() error!: string;
}
