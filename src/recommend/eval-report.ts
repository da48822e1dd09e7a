// The playlist-completion results as a Markdown table, and the one place they are written
// into a document (between markers, so a re-run replaces them and nothing else).
import fs from 'node:fs';
import type { PlaylistEvaluation } from './eval-playlists.ts';

const f3 = (x: number) => x.toFixed(3);

export function formatPlaylistEvaluation(r: PlaylistEvaluation): string {
  const ids = r.playlists.map((p) => p.id);
  return [
    `Playlist completion, strict protocol: ${r.playlists.map((p) => `${p.id} ${p.name} (${p.tracks} tracks, ${p.hidden} hidden)`).join('; ')}.`,
    'Each playlist sorted by track id, every 3rd track hidden and deleted from every evaluated playlist, then that copy’s vectors built and everything served from it; lists exclude the seeds. Recall@20 per playlist.',
    '',
    `| method | recall@20 | MRR | ${ids.join(' | ')} | recall@20 on ${ids.filter((p) => [11, 16, 17].includes(p)).join('/') || '–'} |`,
    `| --- | --- | --- | ${ids.map(() => '---').join(' | ')} | --- |`,
    ...r.rows.map((m) => {
      const name = m.kind === 'served' ? `**${m.method}**` : m.method;
      return `| ${name} | ${f3(m.mean.recall20)} | ${f3(m.mean.mrr)} | ${ids.map((p) => f3(m.perPlaylist[p]?.recall20 ?? 0)).join(' | ')} | ${f3(m.nonClassicalRecall20)} |`;
    }),
    '',
    `(${(r.ms / 1000).toFixed(1)} s, ${ids.length + 1} vector builds)`,
  ].join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in a file. */
export function writeBetweenMarkers(file: string, name: string, content: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${start} … ${end} section to replace`);
  fs.writeFileSync(file, `${text.slice(0, a + start.length)}\n${content.trim()}\n${text.slice(b)}`);
}
