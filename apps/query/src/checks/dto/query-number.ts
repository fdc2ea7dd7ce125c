import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsNumber, Max, Min } from 'class-validator';

const DECIMAL = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,9})?$/;

/**
 * A query-string number in [min, max] written as plain decimal (12, 0.2, 900.5). Anything else
 * stays as sent and fails @IsNumber, so the 400 names the field.
 */
export function QueryDecimal(min: number, max: number): PropertyDecorator {
  const range = `${min} to ${max}`;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value)),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: ({ property }) => `${property} must be a plain decimal number (${range})` }),
    Min(min, { message: ({ property }) => `${property} must be at least ${min} (${range})` }),
    Max(max, { message: ({ property }) => `${property} must be at most ${max} (${range})` }),
  ) as PropertyDecorator;
}
