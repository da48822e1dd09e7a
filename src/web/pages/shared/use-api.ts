// Loading state for a page's data: {data, error, loading}, re-fetched when the key changes;
// an answer for an older key is dropped (typing fast must not show stale results).
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from './api.ts';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
}

export function useApi<T>(key: string | null, load: () => Promise<T>): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: key !== null });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
