// What the page can say above the hits: "showing results for …". The first hit decides: a
// clause it does not contain was dropped; a clause it contains only through a typo, a split
// or a concatenation was corrected, and is shown as the words appear in that hit
// ("metalica" → Metallica, "dont" → Don't). Completing the word being typed is no correction.
import type { DocText, Features } from './match.ts';
import type { SearchPlan } from './plan.ts';

export interface Correction {
  correctedQuery?: string;
  droppedWords: string[];
}

export function correctionOf(plan: SearchPlan, top: { features: Features; doc: DocText } | undefined): Correction {
  if (!top) return { droppedWords: [] };
  const parts: string[] = [];
  const droppedWords: string[] = [];
  let changed = false;
  plan.clauses.forEach((clause, i) => {
    const occ = top.features.best[i];
    if (!occ) {
      droppedWords.push(clause.typed);
      changed = true;
    } else if (occ.joined) {
      // Shown with the first clause of the concatenation.
    } else if (occ.typos === 0) {
      parts.push(clause.typed);
    } else {
      const toks = top.doc.tokens[occ.col] ?? [];
      const start = toks[occ.pos]?.start ?? 0;
      const end = toks[occ.pos + occ.len - 1]?.end ?? 0;
      parts.push(top.doc.text[occ.col]?.slice(start, end) || clause.typed);
      changed = true;
    }
  });
  if (!changed) return { droppedWords };
  for (const t of plan.not) parts.push(`-${t.tokens.length > 1 ? `"${t.tokens.join(' ')}"` : t.tokens[0]}`);
  return { correctedQuery: parts.join(' '), droppedWords };
}
