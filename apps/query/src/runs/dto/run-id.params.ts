import { Length, Matches } from 'class-validator';

export class RunIdParams {
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'runId may contain letters, digits, _ . : - only' })
  runId!: string;
}

export class EltRunIdParams {
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;
}
