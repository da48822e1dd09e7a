// Loading state for a page's data: {data, error, loading}, re-fetched when the key changes;
// an answer for an older key is dropped (typing fast must not show stale results). The first
// request starts during the first render, not in an effect: effects run after the next paint,
// which cost the home page ~100 ms of idle waiting on a busy machine. The state remembers the
// key it answers: in the render after a key change, before the effect has run, the previous
// key's data is still there and must not be reported as loaded (a track page once showed
// data-space="audio" over the blend list for one frame, and a browser test read it).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api.ts';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
}

export function useApi<T>(key: string | null, load: () => Promise<T>): Loaded<T> & { reload: () => void } {
  const started = useRef<{ key: string; promise: Promise<T> } | null>(null);
  if (started.current === null && key !== null) started.current = { key, promise: load() };
  const [state, setState] = useState<Loaded<T> & { key: string | null }>({ data: null, error: null, loading: key !== null, key });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    const early = started.current;
    const promise = early && early.key === key && nonce === 0 ? early.promise : load();
    started.current = { key, promise };
    setState((s) => (s.loading && !s.error ? s : { ...s, loading: true, error: null }));
    promise.then(
      (data) => live && setState({ data, error: null, loading: false, key }),
      (error: Error) => live && setState({ data: null, error, loading: false, key }),
    );
    return () => {
      live = false;
      // A later key (or a reload) must not reuse this request.
      if (started.current?.promise === promise) started.current = { key: `${key} (used)`, promise };
    };
  }, [key, nonce]);
  const { key: answered, ...loaded } = state;
  const stale = key !== null && answered !== key;
  return { ...loaded, loading: loaded.loading || stale, reload: () => setNonce((n) => n + 1) };
}
