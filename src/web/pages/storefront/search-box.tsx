// The header's search box: an ARIA combobox. Suggestions appear as you type (debounced);
// ↑/↓ move through them, Enter opens the chosen one (or searches for the text), Esc closes
// the list. On the search page, the results follow the text as you type.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../shared/api.ts';
import { navigate, useLocation } from '../shared/router.tsx';
import type { Suggestion } from '../shared/types.ts';
import { albumHref, artistHref, trackHref } from './components.tsx';
import { DEBOUNCE_MS } from './timing.ts';

const hrefOf = (s: Suggestion) =>
  s.type === 'artist' ? artistHref(s.id, s.text) : s.type === 'album' ? albumHref(s.id, s.text) : trackHref({ id: s.id, name: s.text });

const TYPE_LABEL = { artist: 'Artist', album: 'Album', track: 'Track' } as const;

export function SearchBox() {
  const loc = useLocation();
  const onSearchPage = loc.path === '/search';
  const [text, setText] = useState(onSearchPage ? (loc.query.get('q') ?? '') : '');
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const latest = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);

  // Follow the address (back/forward, a link to /search?q=…).
  useEffect(() => {
    // Not while typing: the address lags the box by the debounce, and copying it back would
    // undo the keys typed since (on a slow machine "metal" became "meal").
    if (onSearchPage && document.activeElement !== input.current) setText(loc.query.get('q') ?? '');
  }, [onSearchPage, loc.query]);

  const fetchSuggestions = (value: string) => {
    const ticket = ++latest.current;
    const q = value.trim();
    if (!q) {
      setSuggestions([]);
      return;
    }
    get<{ suggestions: Suggestion[] }>('/api/search/suggest', { q: q.slice(0, 100), limit: 8 }).then(
      (r) => {
        if (ticket !== latest.current) return; // an older answer arriving late
        setSuggestions(r.suggestions);
        setActive(-1);
      },
      () => ticket === latest.current && setSuggestions([]),
    );
  };

  const onInput = (value: string) => {
    setText(value);
    setOpen(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      fetchSuggestions(value);
      if (onSearchPage && value.trim()) navigate(searchUrl(value, loc.query), { replace: true, keepScroll: true });
    }, DEBOUNCE_MS);
  };

  const go = (href: string) => {
    window.clearTimeout(timer.current);
    latest.current++;
    setOpen(false);
    setSuggestions([]);
    navigate(href);
  };

  const allResults = () => go(searchUrl(text, onSearchPage ? loc.query : new URLSearchParams()));

  // The list's last option is "All results for …" (index suggestions.length): the same as
  // Enter on the text, but visible, so a list of names does not hide the results page.
  const options = suggestions.length + 1;
  const onKeyDown = (e: KeyboardEvent) => {
    const shown = open && suggestions.length > 0;
    if (e.key === 'ArrowDown' && shown) {
      e.preventDefault();
      setActive((a) => (a + 1) % options);
    } else if (e.key === 'ArrowUp' && shown) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? options - 1 : a - 1));
    } else if (e.key === 'Escape') {
      if (shown) e.preventDefault();
      setOpen(false);
      setActive(-1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const chosen = shown && active >= 0 ? suggestions[active] : undefined;
      if (chosen) go(hrefOf(chosen));
      else if (text.trim()) allResults();
    }
  };

  const shown = open && suggestions.length > 0;
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is too new for some screen readers; role="search" on a form is the long-supported landmark
    <form class="search-box" role="search" onSubmit={(e) => e.preventDefault()}>
      <label for="q" class="sr-only">
        Search tracks, albums and artists
      </label>
      <input
        id="q"
        ref={input}
        type="search"
        name="q"
        placeholder="Search tracks, albums, artists…"
        autocomplete="off"
        spellcheck={false}
        maxLength={200}
        // biome-ignore lint/a11y/noRedundantRoles: a search input's implicit role is searchbox; the combobox role is what makes aria-activedescendant work
        role="combobox"
        // Preact's types allow role="combobox" on an input only beside a `list` attribute; we have none.
        list={undefined}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls="q-suggestions"
        aria-activedescendant={shown && active >= 0 ? `q-s-${active}` : undefined}
        value={text}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
      />
      <div id="q-suggestions" role="listbox" aria-label="Suggestions" class="suggestions" hidden={!shown}>
        {suggestions.map((s, i) => (
          // biome-ignore lint/a11y/useFocusableInteractive: the ARIA combobox pattern: focus stays in the input, aria-activedescendant points here
          <div
            key={`${s.type}-${s.id}`}
            id={`q-s-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : ''}
            onMouseDown={(e) => {
              e.preventDefault(); // keep focus in the box
              go(hrefOf(s));
            }}
            onMouseEnter={() => setActive(i)}
          >
            <span class="s-main">
              <span class="s-text">{s.text}</span>
              {s.artist && <span class="s-artist"> · {s.artist}</span>}
            </span>
            <span class={`s-type s-${s.type}`}>{TYPE_LABEL[s.type]}</span>
          </div>
        ))}
        {/* biome-ignore lint/a11y/useFocusableInteractive: as above, focus stays in the input */}
        <div
          id={`q-s-${suggestions.length}`}
          role="option"
          aria-selected={active === suggestions.length}
          class={`s-all${active === suggestions.length ? ' active' : ''}`}
          onMouseDown={(e) => {
            e.preventDefault();
            allResults();
          }}
          onMouseEnter={() => setActive(suggestions.length)}
        >
          All results for “{text.trim()}”
        </div>
      </div>
    </form>
  );
}

/** /search?q=… keeping the current filters and sort, from the first page. */
export function searchUrl(q: string, current: URLSearchParams): string {
  const next = new URLSearchParams(current);
  next.set('q', q.trim());
  next.delete('cursor');
  next.delete('offset');
  return `/search?${next.toString()}`;
}
