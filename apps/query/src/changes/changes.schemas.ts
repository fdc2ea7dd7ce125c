import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ExecutionSchema } from '../executions/execution.schemas';
import { JobRunSchema } from '../runs/run.schemas';
import { ChangeBody } from './change';
import { ChangesPage } from './changes.service';

/** The change feed's answers as OpenAPI schemas (a change is a run or a model execution, told apart by `type`). */
export class RunChangeSchema {
  @ApiProperty({ enum: ['run'] }) type!: 'run';
  @ApiProperty({ type: JobRunSchema }) run!: JobRunSchema;
  @ApiProperty({ description: '`partition:offset` of the event that produced this state' }) log_position!: string;
}

export class ExecutionChangeSchema {
  @ApiProperty({ enum: ['model_execution'] }) type!: 'model_execution';
  @ApiProperty({ type: ExecutionSchema }) model_execution!: ExecutionSchema;
  @ApiProperty({ description: '`partition:offset` of the event that produced this state' }) log_position!: string;
}

export class ChangesPageSchema implements ChangesPage {
  @ApiProperty({
    type: 'array',
    items: {
      oneOf: [{ $ref: getSchemaPath(RunChangeSchema) }, { $ref: getSchemaPath(ExecutionChangeSchema) }],
      discriminator: { propertyName: 'type', mapping: { run: getSchemaPath(RunChangeSchema), model_execution: getSchemaPath(ExecutionChangeSchema) } },
    },
    description: 'In log order',
  })
  changes!: ChangeBody[];
  @ApiProperty({ description: 'Opaque: send it back as `cursor`' }) next_cursor!: string;
  @ApiProperty({ description: 'True: more changes are waiting now; false: caught up' }) has_more!: boolean;
}
