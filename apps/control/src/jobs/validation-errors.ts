import { BadRequestException } from '@nestjs/common';
import { FieldError } from '@runstream/http';

/** The 400 body of the shared validation pipe: { statusCode, error, message, errors }. */
export function badRequest(errors: FieldError[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: errors.map((e) => `${e.field}: ${e.reasons.join(', ')}`).join('; '),
    errors,
  });
}
