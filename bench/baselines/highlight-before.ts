// The highlight helpers as they were before the speed work, for bench/baselines/search-before.ts only.
// Highlights leave as HTML: matches wrapped in <mark>, everything else escaped, so a
// client can insert them as markup without trusting catalog text.
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] as string);
}

/** `marked` is FTS5 highlight() output with single-character open/close markers around matches. */
export function markHighlight(marked: string, open: string, close: string): string {
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
