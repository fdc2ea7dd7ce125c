import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { ID_PATTERN } from '../runs/dto/create-run.dto';

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
  @Length(1, 128)
  @Matches(ID_PATTERN, { message: 'claimId may contain letters, digits, _ . : - only' })
  claimId?: string;
}
