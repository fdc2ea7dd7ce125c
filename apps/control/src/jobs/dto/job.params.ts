import { ApiProperty } from '@nestjs/swagger';

import { IsResourceId } from '@runstream/http';

export class ProjectParams {
  @ApiProperty({ description: 'Project ID' })
  @IsResourceId()
  id!: string;
}

export class JobParams extends ProjectParams {
  @ApiProperty({ description: 'Job ID' })
  @IsResourceId()
  job_id!: string;
}
