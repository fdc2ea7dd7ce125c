import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches } from 'class-validator';

export class RunIdParams {
  @ApiProperty({ description: 'Job run ID' })
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'runId may contain letters, digits, _ . : - only' })
  runId!: string;
}

export class EltRunIdParams {
  @ApiProperty({ description: 'Run ID' })
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;
}
