import { ApiProperty } from '@nestjs/swagger';

import { IsResourceId } from '@runstream/http';

export class RunIdParams {
  @ApiProperty({ description: 'Run ID' })
  @IsResourceId()
  id!: string;
}
