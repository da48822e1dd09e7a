// A small History-API router: the routes are a list of patterns, links are ordinary <a href>
// (so they open in new tabs and work without JavaScript's help), and a click on one is turned
// into pushState + render. Each page gets the pattern's parameters and the query string.
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { Store, useStore } from './store.ts';

export interface Location {
  path: string;
  query: URLSearchParams;
}

const current = () => ({ path: window.location.pathname, query: new URLSearchParams(window.location.search) });
export const location = new Store<Location>(current());

export function navigate(url: string, options: { replace?: boolean; keepScroll?: boolean } = {}): void {
  if (url === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  location.set(current());
  if (!options.keepScroll) window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => location.set(current()));

export const useLocation = () => useStore(location);

export interface Route<P> {
  pattern: string;
  page: (props: { params: Record<string, string>; query: URLSearchParams }) => P;
}

export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/');
  const b = path.replace(/\/+$/, '').split('/');
  if (pattern === '/') return path === '/' ? {} : null;
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i] ?? '';
    const v = b[i] ?? '';
    if (p.startsWith(':')) {
      if (!v) return null;
      try {
        params[p.slice(1)] = decodeURIComponent(v);
      } catch {
        return null;
      }
    } else if (p !== v) return null;
  }
  return params;
}

/** <a> that navigates in place on a plain left click. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren }) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        if (typeof onClick === 'function') onClick(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}
