import { z } from 'zod';
import { column, parseRows, RowShapeError } from './columns';

describe('column parsers', () => {
  it('read quoted 64-bit counts as numbers, and positions as exact decimal text', () => {
    expect(column.count.parse('42')).toBe(42);
    expect(column.uint64.parse('18446744073709551615')).toBe('18446744073709551615');
    // An unquoted one would have been rounded by JSON.parse already: refused, not passed on.
    expect(column.count.safeParse(42).success).toBe(false);
    expect(column.uint64.safeParse(7).success).toBe(false);
  });

  it("check types: text is not a number, a float's null (NaN, infinities) is taken", () => {
    expect(column.dateTime.safeParse(1_769_940_000_000).success).toBe(false);
    expect(column.int.safeParse('3').success).toBe(false);
    expect(column.float.parse(null)).toBeNull();
    expect(column.text.nullable().parse(null)).toBeNull();
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
