// The panels of what is stored: the primary database, the search index, the vectors.
import { bytes } from '../shared/format.ts';
import { usePoll } from './poll.ts';
import { ago } from './time.ts';
import type { DatabaseStats, Job, SearchStats, VectorStats } from './types.ts';
import { Figures, JobButton, num, Panel } from './widgets.tsx';

// SQLite reads some pragmas back as numbers; the names are what the docs and settings use.
const PRAGMA_NAMES: Record<string, string[]> = { synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'], temp_store: ['DEFAULT', 'FILE', 'MEMORY'] };
function pragmaText(name: string, value: unknown): string {
  const named = PRAGMA_NAMES[name]?.[Number(value)];
  if (named) return `${named} (${String(value)})`;
  if (name === 'mmap_size') return bytes(Number(value));
  if (name === 'cache_size' && Number(value) < 0) return `${bytes(-Number(value) * 1024)}`;
  if (name === 'busy_timeout') return `${String(value)} ms`;
  return String(value);
}

export function DatabasePanel() {
  const { data, error } = usePoll<DatabaseStats>('/api/admin/database/stats', 5_000);
  return (
    <Panel title="Primary database" id="database">
      {error && <p class="note note-error">{error}</p>}
      {data && (
        <>
          <Figures
            items={[
              ['File', bytes(data.fileBytes), 'file'],
              ['WAL', bytes(data.walBytes), 'wal'],
              ['Pages', `${num(data.pageCount)} × ${bytes(data.pageSize)}`],
              ['Last checkpoint', data.checkpoints ? ago(data.checkpoints.lastAt) : 'no checkpointer', 'checkpoint'],
            ]}
          />
          <p class="path" title="database file">
            <code>{data.path}</code>
          </p>
          <div class="two">
            <table class="plain compact" aria-label="Pragmas read back">
              <caption>Pragmas (read back)</caption>
              <tbody>
                {Object.entries(data.pragmas).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td class="right">{pragmaText(k, v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table class="plain compact" aria-label="Row counts">
              <caption>Rows</caption>
              <tbody>
                {Object.entries(data.rowCounts).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k.replace(/^chinook_/, '')}</th>
                    <td class="right">{num(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Panel>
  );
}

function useRunningJob(prefix: string): Job | undefined {
  const { data } = usePoll<{ items: Job[] }>('/api/admin/jobs', 10_000);
  return data?.items.find((j) => j.state === 'running' && j.task.startsWith(prefix));
}

export function SearchPanel() {
  const { data, error, refresh } = usePoll<SearchStats>('/api/admin/search/stats', 5_000);
  const running = useRunningJob('search');
  return (
    <Panel title="Search index" id="search">
      {error && <p class="note note-error">{error}</p>}
      {data && (
        <Figures
          items={[
            ['Indexed', `${num(data.indexedTracks)} / ${num(data.totalTracks)} (${data.coveragePercent}%)`, 'indexed'],
            ['Index size', bytes(data.indexBytes)],
            ['Suggestions', `${num(data.suggestEntries)} · ${bytes(data.suggestBytes)}`],
            ['Vocabulary', `${num(data.vocabularyTerms)} terms`],
            ['Triggers', `${data.triggers.present} / ${data.triggers.expected}`],
            ['Last rebuild', ago(data.lastRebuild), 'last-rebuild'],
            ['Last optimize', ago(data.lastOptimize)],
          ]}
        />
      )}
      <div class="jobs">
        <JobButton label="Rebuild index" url="/api/admin/search/rebuild" onDone={refresh} running={running?.task === 'search-rebuild' ? running : undefined} />
        <JobButton label="Optimize" url="/api/admin/search/optimize" onDone={refresh} running={running?.task === 'search-optimize' ? running : undefined} />
      </div>
    </Panel>
  );
}

export function VectorsPanel() {
  const { data, error, refresh } = usePoll<VectorStats>('/api/admin/vectors/stats', 5_000);
  const running = useRunningJob('vectors');
  return (
    <Panel title="Vectors" id="vectors">
      {error && <p class="note note-error">{error}</p>}
      {data && (
        <>
          <Figures
            items={[
              ['Coverage', `${num(data.vectorRows)} / ${num(data.totalTracks)} (${data.coveragePercent}%)`],
              ['Similarity cache', `${num(data.similarityCache.rows)} rows`],
              ['In memory', data.vectorMemory ? `${num(data.vectorMemory.tracks)} tracks · ${bytes(data.vectorMemory.bytes)}` : 'not loaded'],
            ]}
          />
          <table class="plain compact" aria-label="Vector spaces">
            <thead>
              <tr>
                <th>Space</th>
                <th>Learns from</th>
                <th class="right">Dims</th>
                <th class="right">Tracks</th>
                <th class="right">Built</th>
              </tr>
            </thead>
            <tbody>
              {data.spaces.map((s) => (
                <tr key={s.space}>
                  <th scope="row">{s.space}</th>
                  <td>{SPACE_MEANS[s.space] ?? s.provider}</td>
                  <td class="right">{s.dims}</td>
                  <td class="right">{num(s.trackCount)}</td>
                  <td class="right" data-built-at={s.builtAt}>
                    {ago(s.builtAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div class="jobs">
        <JobButton label="Rebuild all spaces" url="/api/admin/vectors/rebuild" onDone={refresh} running={running} />
      </div>
    </Panel>
  );
}

const SPACE_MEANS: Record<string, string> = {
  audio: 'listens-alike: co-occurrence in playlists and purchases',
  lyric: 'text: words and letter patterns of names',
  metadata: 'genre, media type, length, price, composer, album',
};
