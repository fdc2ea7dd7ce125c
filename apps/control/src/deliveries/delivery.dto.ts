import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QueryInteger } from '@runstream/http';
import { IsOptional, Matches } from 'class-validator';
import { JobParams } from '../jobs/dto/job.params';

export const MAX_DELIVERIES_PAGE = 200;

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_DELIVERIES_PAGE, default: 50 })
  @IsOptional()
  @QueryInteger(1, MAX_DELIVERIES_PAGE)
  limit = 50;
}

export class DeliveryParams extends JobParams {
  @ApiProperty({ description: 'Delivery id: the webhook-id header of its requests (msg_ + 32 hex)' })
  @Matches(/^msg_[0-9a-f]{32}$/, { message: 'delivery_id must be msg_ followed by 32 hex digits' })
  delivery_id!: string;
}
