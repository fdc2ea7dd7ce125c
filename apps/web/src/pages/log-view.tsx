import { useEffect, useMemo, useRef, useState } from 'react';
import { LogEntry } from '../api/types';
import { Time } from '../components/time';
import { plural } from '../lib/format';
import { useUrlState } from '../lib/url';

/**
 * The run's log (at most the newest 500 lines, as stored), coloured by level, searchable (the
 * search is in the URL), and following new lines while the run is live unless the user scrolled up.
 */
export function LogView({ entries, live }: { entries: LogEntry[]; live: boolean }) {
  const [params, update] = useUrlState();
  const search = params.get('q') ?? '';
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLOListElement>(null);
  const shown = useMemo(() => {
    const needle = search.toLowerCase();
    return needle ? entries.filter((entry) => entry.message.toLowerCase().includes(needle) || entry.level.toLowerCase() === needle) : entries;
  }, [entries, search]);

  useEffect(() => {
    const el = box.current;
    if (el && live && follow) el.scrollTop = el.scrollHeight;
  }, [shown, live, follow]);

  return (
    <section aria-labelledby="logs">
      <div className="section-head">
        <h2 id="logs">Logs</h2>
        <label>
          Search
          <input type="search" value={search} onChange={(event) => update({ q: event.target.value }, false, true)} placeholder="text or level" />
        </label>
        {live && (
          <label className="check">
            <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} /> Follow new lines
          </label>
        )}
        <span className="muted">
          {shown.length === entries.length ? plural(entries.length, 'line') : `${shown.length} of ${plural(entries.length, 'line')}`}
          {entries.length >= 500 ? ' (the newest 500 are kept)' : ''}
        </span>
      </div>
      {entries.length === 0 ? (
        <p className="muted">No log lines{live ? ' yet; new lines appear here as the run reports them' : ''}.</p>
      ) : (
        <ol
          className="logs"
          ref={box}
          data-testid="logs"
          tabIndex={0}
          aria-label="Log lines"
          onScroll={(event) => {
            const el = event.currentTarget;
            if (live) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
          }}
        >
          {shown.map((entry, index) => (
            <li key={`${entry.at}-${index}`} className={`log level-${entry.level}`}>
              <Time at={entry.at} /> <span className="level">{entry.level}</span> <span className="message">{entry.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
