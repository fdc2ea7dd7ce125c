import { unknownFormat } from './sql-error';

/** Output formats BI clients ask for (docs/bi.md), by their canonical name, with the Content-Type to answer. */
const FORMATS: Record<string, string> = {
  TabSeparated: 'text/tab-separated-values; charset=UTF-8',
  TabSeparatedRaw: 'text/tab-separated-values; charset=UTF-8',
  TabSeparatedWithNames: 'text/tab-separated-values; charset=UTF-8',
  TabSeparatedWithNamesAndTypes: 'text/tab-separated-values; charset=UTF-8',
  CSV: 'text/csv; charset=UTF-8; header=absent',
  CSVWithNames: 'text/csv; charset=UTF-8; header=present',
  CSVWithNamesAndTypes: 'text/csv; charset=UTF-8; header=present',
  JSON: 'application/json; charset=UTF-8',
  JSONCompact: 'application/json; charset=UTF-8',
  JSONStrings: 'application/json; charset=UTF-8',
  JSONEachRow: 'application/x-ndjson; charset=UTF-8',
  JSONStringsEachRow: 'application/x-ndjson; charset=UTF-8',
  JSONCompactEachRow: 'application/x-ndjson; charset=UTF-8',
  JSONCompactEachRowWithNames: 'application/x-ndjson; charset=UTF-8',
  JSONCompactEachRowWithNamesAndTypes: 'application/x-ndjson; charset=UTF-8',
  JSONCompactStringsEachRowWithNamesAndTypes: 'application/x-ndjson; charset=UTF-8',
  JSONObjectEachRow: 'application/json; charset=UTF-8',
  RowBinary: 'application/octet-stream',
  RowBinaryWithNames: 'application/octet-stream',
  RowBinaryWithNamesAndTypes: 'application/octet-stream',
  Native: 'application/octet-stream',
  Parquet: 'application/octet-stream',
  Arrow: 'application/octet-stream',
  ArrowStream: 'application/octet-stream',
  Pretty: 'text/plain; charset=UTF-8',
  PrettyCompact: 'text/plain; charset=UTF-8',
  Values: 'text/plain; charset=UTF-8',
};

/** ClickHouse's short aliases. */
const ALIASES: Record<string, string> = {
  TSV: 'TabSeparated',
  TSVRaw: 'TabSeparatedRaw',
  TSVWithNames: 'TabSeparatedWithNames',
  TSVWithNamesAndTypes: 'TabSeparatedWithNamesAndTypes',
};

const BY_LOWER = new Map([...Object.keys(FORMATS), ...Object.keys(ALIASES)].map((name) => [name.toLowerCase(), ALIASES[name] ?? name]));

/** The canonical name of an allowed output format; anything else is a 400 naming it. */
export function outputFormat(name: string): string {
  const canonical = BY_LOWER.get(name.toLowerCase());
  if (!canonical) throw unknownFormat(name);
  return canonical;
}

export function contentTypeOf(format: string): string {
  return FORMATS[format] ?? 'application/octet-stream';
}
