import { useCallback } from 'react';
import { useSearchParams } from 'wouter';

/**
 * Page state kept in the URL's query string, so every view can be shared and survives a reload.
 * Setting a value to '' or undefined removes it; `resetPage` drops `page` (a new filter starts at 1);
 * `replace` edits the history entry instead of adding one (typing in a search box).
 */
export function useUrlState(): [URLSearchParams, (changes: Record<string, string | number | undefined>, resetPage?: boolean, replace?: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: Record<string, string | number | undefined>, resetPage = false, replace = false) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined || value === '') next.delete(key);
            else next.set(key, String(value));
          }
          if (resetPage) next.delete('page');
          return next;
        },
        { replace },
      );
    },
    [setParams],
  );
  return [params, update];
}

/** A positive integer from the URL, else the fallback. */
export function intParam(params: URLSearchParams, key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(params.get(key));
  return Number.isInteger(value) && value >= 1 && value <= max ? value : fallback;
}
