import { ArgumentMetadata, BadRequestException, Type, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldError {
  field: string;
  reasons: string[];
}

/** What a required field left out is told, instead of every rule an absent value breaks. */
export const REQUIRED = 'is required';

/**
 * Flattens nested class-validator errors into dotted field paths (e.g. appendLog.level). A field
 * that was not sent fails every rule it has ("must be a string", "must be longer than…", "may
 * contain…"); it is told it is required instead. Optional fields skip their rules when absent.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const reasons = error.constraints && (error.value === undefined ? [REQUIRED] : Object.values(error.constraints));
    return [...(reasons ? [{ field, reasons }] : []), ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * Quick accept paths by DTO class, for hot routes: each answers the DTO the pipe would build
 * when the value is certainly valid, or undefined to leave the value to class-validator, which
 * stays the authority and alone shapes every 400. class-transformer and class-validator walk
 * metadata and allocate per property; on ingest's PATCH they were ~10% of its CPU.
 */
export type FastValidators = ReadonlyMap<Type<unknown>, (value: unknown) => object | undefined>;

class QuickValidationPipe extends ValidationPipe {
  constructor(
    private readonly quick: FastValidators,
    options: ConstructorParameters<typeof ValidationPipe>[0],
  ) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const accept = metadata.metatype && this.quick.get(metadata.metatype);
    return (accept && accept(value)) || super.transform(value, metadata);
  }
}

/**
 * The most bad fields a 400 lists: 2,000 bad array items would otherwise make a megabyte of
 * answer; the message says how many more there were.
 */
export const MAX_FIELD_ERRORS = 20;

/**
 * The 400 every app answers for bad input: `{ statusCode, error, message, errors: [{ field,
 * reasons }] }`, naming the first MAX_FIELD_ERRORS fields at fault (and how many more), so a
 * human reading a log line sees them at once.
 */
export function invalidFields(errors: FieldError[]): BadRequestException {
  const shown = errors.slice(0, MAX_FIELD_ERRORS);
  const more = errors.length - shown.length;
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: shown.map((e) => `${e.field}: ${e.reasons.join(', ')}`).join('; ') + (more > 0 ? `; and ${more} more fields` : ''),
    errors: shown,
  });
}

/**
 * 400 body: { statusCode, error, message, errors: [{ field, reasons }] }, where message
 * names the bad fields (the first MAX_FIELD_ERRORS) so a human reading a log line sees them at once.
 */
export function createValidationPipe(quick: FastValidators = new Map()): ValidationPipe {
  return new QuickValidationPipe(quick, {
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // The value tells an absent field from a bad one (flattenValidationErrors); it is never answered.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => invalidFields(flattenValidationErrors(errors)),
  });
}
