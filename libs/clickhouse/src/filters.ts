import { QueryParams } from './store';
import { ChDateTime } from './time';

/**
 * WHERE clause matching `column = value` for every defined value, and `updated_at` strictly
 * after `updatedAfter` when given. Column names come from our code, never from a caller;
 * values are bound parameters, never SQL text.
 */
export function equalityFilter(equals: Record<string, string | undefined>, updatedAfter?: ChDateTime): { where: string; params: QueryParams } {
  const conditions: string[] = [];
  const params: QueryParams = {};
  for (const [column, value] of Object.entries(equals)) {
    if (value === undefined) continue;
    conditions.push(`${column} = {${column}:String}`);
    params[column] = value;
  }
  if (updatedAfter !== undefined) {
    conditions.push("updated_at > {updated_after:DateTime64(3, 'UTC')}");
    params.updated_after = updatedAfter;
  }
  return { where: conditions.join(' AND '), params };
}
