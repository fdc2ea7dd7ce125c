import { ApiProperty } from '@nestjs/swagger';

import { IsResourceId } from '@runstream/http';

export class ProjectIdParams {
  @ApiProperty({ description: 'Project ID' })
  @IsResourceId()
  id!: string;
}
