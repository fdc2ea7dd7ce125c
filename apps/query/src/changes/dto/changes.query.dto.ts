import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { QueryInteger } from '@runstream/http';

/** GET /api/v1/projects/:id/changes and GET /api/v1/changes */
export class ChangesQueryDto {
  @ApiPropertyOptional({ description: 'next_cursor of the previous page; omit to start from the beginning' })
  @IsOptional()
  @IsString()
  @Length(1, 32768)
  cursor?: string;

  /** A page never splits one event's changes, so it may exceed limit by the rest of its last event. */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @QueryInteger(1, 1000)
  limit: number = 100;
}
