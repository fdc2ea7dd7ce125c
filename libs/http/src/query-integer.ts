import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Plain decimal digits only: no sign, exponent, fraction, hex, spaces; 16 digits keeps it an exact double. */
const DIGITS = /^\d{1,16}$/;

/** A query-string integer, or undefined for anything that is not plain decimal digits (arrays included). */
export function parseDecimalInteger(value: unknown): number | undefined {
  return typeof value === 'string' && DIGITS.test(value) ? Number(value) : undefined;
}

/**
 * A query-string integer in [min, max], written as plain decimal digits. Anything else
 * (1e300, -0, 1.5, 0x10, " 1", "", a repeated parameter) stays as sent and fails @IsInt,
 * so the 400 names the field.
 */
export function QueryInteger(min: number, max: number, meaning = ''): PropertyDecorator {
  const range = `${min} to ${max}${meaning ? `, ${meaning}` : ''}`;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => parseDecimalInteger(value) ?? value),
    IsInt({ message: ({ property }) => `${property} must be a whole number written in plain decimal digits (${range})` }),
    Min(min, { message: ({ property }) => `${property} must be at least ${min} (${range})` }),
    Max(max, { message: ({ property }) => `${property} must be at most ${max} (${range})` }),
  ) as PropertyDecorator;
}
