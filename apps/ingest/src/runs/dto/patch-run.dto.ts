import { ACCEPTED_STATUS_WORDS } from '@runstream/events';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';

/** PATCH /api/elt/runs/:id. Every field present is applied together, as one event. */
export class PatchRunDto {
  /** Runner vocabulary (queued, running, succeeded, ...) or canonical names. */
  @IsOptional()
  @IsIn(ACCEPTED_STATUS_WORDS)
  status?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  startedAt?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  finishedAt?: string;
}
