import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { JobParams } from '../jobs/dto/job.params';
import { DeliveriesService } from './deliveries.service';
import { DeliveryDetailSchema, DeliveryListSchema, DeliverySchema, TestEventSchema } from './delivery.schemas';
import { DeliveryParams, ListDeliveriesQueryDto } from './delivery.dto';
import { DeliveryDetailResponse, DeliveryListResponse, DeliveryResponse, TestEventResponse } from './delivery.response';

/** A job's notification deliveries (docs/notifications.md): the log, redelivery and a test event. */
@ApiTags('deliveries')
@Controller('api/v1/projects/:id/jobs/:job_id')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  /** Newest first: per delivery its status, attempts, last response code and next retry. */
  @Get('deliveries')
  @ApiOkResponse({ type: DeliveryListSchema })
  list(@Param() { id, job_id }: JobParams, @Query() { limit }: ListDeliveriesQueryDto, @CurrentCaller() caller: Caller): Promise<DeliveryListResponse> {
    return this.deliveries.list(caller, id, job_id, limit);
  }

  @Get('deliveries/:delivery_id')
  @ApiOkResponse({ type: DeliveryDetailSchema })
  get(@Param() { id, job_id, delivery_id }: DeliveryParams, @CurrentCaller() caller: Caller): Promise<DeliveryDetailResponse> {
    return this.deliveries.get(caller, id, job_id, delivery_id);
  }

  /** 202: the delivery is queued again (same webhook-id, a fresh retry schedule); 409 while it is still being delivered. */
  @Post('deliveries/:delivery_id/redeliver')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: DeliverySchema })
  redeliver(@Param() { id, job_id, delivery_id }: DeliveryParams, @CurrentCaller() caller: Caller): Promise<DeliveryResponse> {
    return this.deliveries.redeliver(caller, id, job_id, delivery_id);
  }

  /** 200: one signed `webhook.test` request sent now to the job's webhook_url (enabled or not), and its result; 429 while one to the job is under way. */
  @Post('webhook/test')
  @HttpCode(200)
  @ApiOkResponse({ type: TestEventSchema })
  sendTest(@Param() { id, job_id }: JobParams, @CurrentCaller() caller: Caller): Promise<TestEventResponse> {
    return this.deliveries.sendTest(caller, id, job_id);
  }
}
