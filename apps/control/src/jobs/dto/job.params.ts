import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches } from 'class-validator';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

export class ProjectParams {
  @ApiProperty({ description: 'Project ID' })
  @Length(1, 128)
  @Matches(ID, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;
}

export class JobParams extends ProjectParams {
  @ApiProperty({ description: 'Job ID' })
  @Length(1, 128)
  @Matches(ID, { message: 'job_id may contain letters, digits, _ . : - only' })
  job_id!: string;
}
