import { applyDecorators } from '@nestjs/common';
import { Length, Matches } from 'class-validator';

/** The ids every API takes and makes (runs, projects, jobs, executions, claims): a letter or digit, then letters, digits and _ . : -. */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** An id field: 1 to `maxLength` characters of RESOURCE_ID_PATTERN; its 400 names the field. */
export function IsResourceId(maxLength = 128): PropertyDecorator {
  return applyDecorators(Length(1, maxLength), Matches(RESOURCE_ID_PATTERN, { message: '$property may contain letters, digits, _ . : - only' }));
}
