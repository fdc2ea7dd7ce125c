/**
 * A route parameter as the API takes it. wouter decodes paths with decodeURI, which leaves
 * `%3A` (an encoded `:`, allowed in project ids) as it is; pages encode the id again for the API.
 */
export function routeParam(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
