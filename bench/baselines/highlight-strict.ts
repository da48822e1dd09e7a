// Frozen with search-strict.ts: the highlight helpers of the search service before issue 18.
// Highlights leave as HTML: matches wrapped in <mark>, everything else escaped, so a
// client can insert them as markup without trusting catalog text.
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const ESCAPED = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most catalog text has nothing to escape: testing first skips building a copy.
  return ESCAPED.test(text) ? text.replace(/[&<>"']/g, (c) => entities[c] as string) : text;
}

/** `marked` is FTS5 highlight() output with single-character open/close markers around matches. */
export function markHighlight(marked: string, open: string, close: string): string {
  if (!marked.includes(open) && !marked.includes(close)) return escapeHtml(marked);
  let out = '';
  let inside = false;
  let from = 0;
  for (let i = 0; i < marked.length; i++) {
    const c = marked[i];
    if (c !== open && c !== close) continue;
    out += escapeHtml(marked.slice(from, i));
    from = i + 1;
    if (c === open && !inside) out += '<mark>';
    else if (c === close && inside) out += '</mark>';
    inside = c === open;
  }
  out += escapeHtml(marked.slice(from));
  return inside ? `${out}</mark>` : out;
}
