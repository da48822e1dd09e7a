// Search highlights arrive as HTML-escaped text with <mark> tags. They are never parsed as
// HTML: the string is split on the two tags, each piece is un-escaped (only the five entities
// the server's escaper writes) and rendered as a text node.
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };
const unescapeHtml = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e] ?? e);

export interface Piece {
  text: string;
  marked: boolean;
}

export function splitMarks(html: string): Piece[] {
  const pieces: Piece[] = [];
  let marked = false;
  for (const part of html.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) pieces.push({ text: unescapeHtml(part), marked });
  }
  return pieces;
}

export function Highlighted({ html }: { html: string }) {
  return <>{splitMarks(html).map((p, i) => (p.marked ? <mark key={i}>{p.text}</mark> : p.text))}</>;
}
