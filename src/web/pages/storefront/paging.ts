// Keyset paging kept in the address: ?cursor=<the page's cursor>&prev=<cursors before it>,
// so Back, reload and a shared link all show the same page.
import { navigate, useLocation } from '../shared/router.tsx';

export function useCursorPaging(nextCursor: string | null | undefined) {
  const { path, query } = useLocation();
  const cursor = query.get('cursor');
  const prev = (query.get('prev') ?? '').split(' ').filter(Boolean);
  const go = (c: string | null, p: string[]) => {
    const q = new URLSearchParams(query);
    if (c) q.set('cursor', c);
    else q.delete('cursor');
    if (p.length) q.set('prev', p.join(' '));
    else q.delete('prev');
    const s = q.toString();
    navigate(s ? `${path}?${s}` : path);
  };
  return {
    cursor,
    onNext: nextCursor ? () => go(nextCursor, [...prev, cursor ?? '-']) : null,
    onPrev: cursor
      ? () => {
          const back = prev.at(-1);
          go(back && back !== '-' ? back : null, prev.slice(0, -1));
        }
      : null,
  };
}
