// Live numbers: fetch now and every `everyMs` (skipped while the tab is hidden), keep the last
// good answer on screen if one poll fails.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../shared/api.ts';

export const REFRESH_MS = 2_000;

export function usePoll<T>(url: string, everyMs = REFRESH_MS): { data: T | null; error: string | null; refresh: () => void; history: T[] } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const history = useRef<T[]>([]);
  const live = useRef(true);
  const refresh = useCallback(() => {
    get<T>(url).then(
      (d) => {
        if (!live.current) return;
        history.current = [...history.current.slice(-149), d];
        setData(d);
        setError(null);
      },
      (e: Error) => live.current && setError(e.message),
    );
  }, [url]);
  useEffect(() => {
    live.current = true;
    refresh();
    const timer = window.setInterval(() => {
      if (!document.hidden) refresh();
    }, everyMs);
    return () => {
      live.current = false;
      window.clearInterval(timer);
    };
  }, [refresh, everyMs]);
  return { data, error, refresh, history: history.current };
}
