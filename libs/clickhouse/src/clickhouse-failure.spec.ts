import { ClickHouseError } from '@clickhouse/client';
import { classifyClickHouseFailure } from './clickhouse-failure';

const failure = (code: string, type: string) => new ClickHouseError({ message: `Code: ${code}. DB::Exception: boom. (${type})`, code, type });

describe('classifyClickHouseFailure', () => {
  it.each([
    ['159', 'TIMEOUT_EXCEEDED'],
    ['202', 'TOO_MANY_SIMULTANEOUS_QUERIES'],
    ['210', 'NETWORK_ERROR'],
    ['279', 'ALL_CONNECTION_TRIES_FAILED'],
    ['203', 'NO_FREE_CONNECTION'],
    ['242', 'TABLE_IS_READ_ONLY'],
    ['999', 'KEEPER_EXCEPTION'],
    ['225', 'NO_ZOOKEEPER'],
    ['439', 'CANNOT_SCHEDULE_TASK'],
    ['173', 'CANNOT_ALLOCATE_MEMORY'],
    ['236', 'ABORTED'],
    ['285', 'TOO_FEW_LIVE_REPLICAS'],
  ])('answers code %s (%s) as a retryable 503 with Retry-After', (code, type) => {
    expect(classifyClickHouseFailure(failure(code, type))).toMatchObject({ status: 503, retryAfterSeconds: expect.any(Number) });
  });

  it('answers result limits as 422, and leaves other ClickHouse errors and plain errors to the 500 path', () => {
    expect(classifyClickHouseFailure(failure('158', 'TOO_MANY_ROWS'))).toMatchObject({ status: 422 });
    expect(classifyClickHouseFailure(failure('62', 'SYNTAX_ERROR'))).toBeUndefined();
    expect(classifyClickHouseFailure(new Error('something else'))).toBeUndefined();
    expect(classifyClickHouseFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ status: 503 });
  });
});
