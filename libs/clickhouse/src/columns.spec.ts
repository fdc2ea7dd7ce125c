import { z } from 'zod';
import { column, parseRows, RowShapeError } from './columns';

describe('column parsers', () => {
  it('read 64-bit counts quoted or not as numbers, and positions as exact decimal text', () => {
    expect(column.count.parse('42')).toBe(42);
    expect(column.count.parse(42)).toBe(42);
    expect(column.offset.parse('18446744073709551615')).toBe('18446744073709551615');
    expect(column.offset.parse(7)).toBe('7');
    expect(column.count.safeParse('4.2').success).toBe(false);
    expect(column.offset.safeParse('-1').success).toBe(false);
  });

  it("check DateTime64 and Date text forms, and take a float's null (NaN, infinities)", () => {
    expect(column.dateTime.parse('2026-02-01 10:00:00.123')).toBe('2026-02-01 10:00:00.123');
    expect(column.dateTime.safeParse('2026-02-01T10:00:00.123Z').success).toBe(false);
    expect(column.date.safeParse('2026-02-01 10:00:00').success).toBe(false);
    expect(column.float.parse(null)).toBeNull();
  });
});

describe('parseRows', () => {
  const schema = z.object({ id: column.text, total: column.count });

  it('parses every row and drops columns the schema does not name', () => {
    expect(parseRows(schema, [{ id: 'a', total: '3', extra: 1 }], 'SELECT')).toEqual([{ id: 'a', total: 3 }]);
  });

  it('names the row, the statement and the column that does not fit', () => {
    const parse = () =>
      parseRows(
        schema,
        [
          { id: 'a', total: '1' },
          { id: 2, total: '1' },
        ],
        'SELECT id,\n   total FROM runs',
      );
    expect(parse).toThrow(RowShapeError);
    expect(parse).toThrow(/row 1 of "SELECT id, total FROM runs" does not match its schema: id: /);
  });
});
