import { localTitle, utc } from '../lib/format';

/** A UTC timestamp; hovering (or focusing) shows the same instant in the browser's time zone. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span>–</span>;
  return (
    <time dateTime={at} title={localTitle(at)}>
      {utc(at)}
    </time>
  );
}
