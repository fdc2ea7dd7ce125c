import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

import { IsResourceId } from '@runstream/http';

/** POST /api/agent/runs/:id/claim; the body is optional. */
export class ClaimRunDto {
  /**
   * Your id for this claim attempt. Retrying with the same claimId (or the same
   * Idempotency-Key) from the same token tells you whether the first attempt won.
   */
  @ApiPropertyOptional({
    maxLength: 128,
    description: 'Your id for this claim attempt: a retry with the same claimId (same token) learns whether the attempt won',
  })
  @IsOptional()
  @IsString()
  @IsResourceId()
  claimId?: string;
}
