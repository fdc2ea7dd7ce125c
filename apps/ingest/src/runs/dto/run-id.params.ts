import { Length, Matches } from 'class-validator';
import { ID_PATTERN } from './create-run.dto';

export class RunIdParams {
  @Length(1, 128)
  @Matches(ID_PATTERN, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;
}
