import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches } from 'class-validator';

export class ProjectIdParams {
  @ApiProperty({ description: 'Project ID' })
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;
}
