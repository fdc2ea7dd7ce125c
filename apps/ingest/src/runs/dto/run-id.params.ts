import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches } from 'class-validator';
import { ID_PATTERN } from './create-run.dto';

export class RunIdParams {
  @ApiProperty({ description: 'Run ID' })
  @Length(1, 128)
  @Matches(ID_PATTERN, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;
}
