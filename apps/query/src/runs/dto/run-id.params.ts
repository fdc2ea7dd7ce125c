import { ApiProperty } from '@nestjs/swagger';

import { IsResourceId } from '@runstream/http';

export class RunIdParams {
  @ApiProperty({ description: 'Job run ID' })
  @IsResourceId()
  runId!: string;
}

export class EltRunIdParams {
  @ApiProperty({ description: 'Run ID' })
  @IsResourceId()
  id!: string;
}
