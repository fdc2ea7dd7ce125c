import { ApiPropertyOptional } from '@nestjs/swagger';
import { QueryInteger } from '@runstream/http';
import { IsOptional } from 'class-validator';

export class ListAgentRunsQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @QueryInteger(1, 100)
  limit: number = 20;
}
