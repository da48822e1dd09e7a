// Highlights leave as HTML: matches wrapped in <mark> (hits.ts), everything else escaped, so a
// client can insert them as markup without trusting catalog text.
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const ESCAPED = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most catalog text has nothing to escape: testing first skips building a copy.
  return ESCAPED.test(text) ? text.replace(/[&<>"']/g, (c) => entities[c] as string) : text;
}

/** `text` with the character spans wrapped in <mark> and everything else HTML-escaped. */
export function markSpans(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return escapeHtml(text);
  let out = '';
  let from = 0;
  for (const [s, e] of spans) {
    out += `${escapeHtml(text.slice(from, s))}<mark>${escapeHtml(text.slice(s, e))}</mark>`;
    from = e;
  }
  return out + escapeHtml(text.slice(from));
}
