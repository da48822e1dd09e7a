// "Each folder owns its tables": every SQL text in src/ (string and template literals) names
// only tables its folder owns, or reads (FROM/JOIN) a table docs/ARCHITECTURE.md lists as a
// read-only join for that folder (or file). Writes (INSERT, UPDATE, DELETE, REPLACE, CREATE
// INDEX … ON) to another folder's table, and reads still to be moved behind the owner's
// service, are listed below with their reason. Migrations are exempt: they hold every
// folder's DDL as it shipped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedReads, listFiles, readSource, tableOwners, unitOf } from './source.ts';

interface Exception {
  /** A file, or a folder (`importer/`) for all its files. */
  where: string;
  table: string;
  write: boolean;
  reason: string;
}

const BULK_LOADER = 'the importer is a bulk loader: it fills the catalog and the store tables in one transaction';
const FORCE = 'import --force clears what refers to the old catalog (plays, links of users to customers) in the same transaction';
const known: Exception[] = [
  ...[
    'chinook_artists',
    'chinook_albums',
    'chinook_tracks',
    'chinook_genres',
    'chinook_media_types',
    'chinook_playlists',
    'chinook_playlist_track',
    'chinook_employees',
    'chinook_customers',
    'chinook_invoices',
    'chinook_invoice_lines',
  ].map((table) => ({ where: 'importer/', table, write: true, reason: BULK_LOADER })),
  ...['plays', 'plays_by_user', 'track_play_counts', 'users'].map((table) => ({ where: 'src/importer/tables.ts', table, write: true, reason: FORCE })),
  {
    where: 'src/catalog/edits.ts',
    table: 'track_vectors',
    write: true,
    reason: 'deleting a track deletes its vectors in the same transaction (vec0 has no foreign keys)',
  },
  {
    where: 'src/catalog/edits.ts',
    table: 'vector_similarity_cache',
    write: true,
    reason: 'deleting a track deletes its cached neighbours in the same transaction (no foreign keys there either)',
  },
  {
    where: 'src/recommend/eval.ts',
    table: 'chinook_invoices',
    write: true,
    reason: "the offline evaluation deletes each customer's held-out purchases in a throwaway copy of the database, never the live one",
  },
  {
    where: 'src/recommend/eval-playlists.ts',
    table: 'chinook_playlist_track',
    write: true,
    reason: "the playlist evaluation deletes each playlist's held-out tracks in a throwaway copy of the database, never the live one",
  },
];

const READ = /(?<!\bDELETE\s+)\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)/gi;
const WRITE =
  /\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+\s+ON)\s+([A-Za-z_][A-Za-z0-9_]*)/gi;

const owners = tableOwners();
const ownerOf = (table: string) => owners.find((o) => (o.prefix ? table.startsWith(o.name) : table === o.name))?.owner;
const reads = allowedReads();

/** Every (file, table, read|write) an SQL text in src/ names, for tables with a listed owner. */
function sqlUses(): { file: string; unit: string; table: string; write: boolean }[] {
  const out: { file: string; unit: string; table: string; write: boolean }[] = [];
  for (const file of listFiles('src')) {
    if (file.startsWith('src/db/migrations/')) continue;
    const seen = new Set<string>();
    for (const text of readSource(file).strings) {
      for (const [re, write] of [
        [WRITE, true],
        [READ, false],
      ] as const) {
        for (const m of text.matchAll(re)) {
          const table = m[1]!.toLowerCase();
          const key = `${table}|${write}`;
          if (!ownerOf(table) || seen.has(key)) continue;
          seen.add(key);
          out.push({ file, unit: unitOf(file), table, write });
        }
      }
    }
  }
  return out;
}

describe('table ownership (docs/ARCHITECTURE.md)', () => {
  const uses = sqlUses();
  const excepted = (u: { file: string; unit: string; table: string; write: boolean }) =>
    known.some((e) => (e.where === u.file || e.where === u.unit) && e.table === u.table && e.write === u.write);
  const listedRead = (u: { file: string; unit: string; table: string }) =>
    !!reads.get(u.unit)?.has(u.table) || !!reads.get(u.file.slice('src/'.length))?.has(u.table);

  it('the owners table names owners that exist', () => {
    const units = new Set(listFiles('src').map(unitOf));
    assert.deepEqual(
      [...new Set(owners.map((o) => o.owner))].filter((o) => !units.has(o)),
      [],
    );
  });

  it("no folder writes another folder's table", () => {
    const foreign = uses
      .filter((u) => u.write && ownerOf(u.table) !== u.unit && !excepted(u))
      .map((u) => `${u.file} writes ${u.table} (${ownerOf(u.table)}'s)`);
    assert.deepEqual(foreign, []);
  });

  it("a folder reads another folder's table only where ARCHITECTURE.md lists the join", () => {
    const foreign = uses
      .filter((u) => !u.write && ownerOf(u.table) !== u.unit && !listedRead(u) && !excepted(u))
      .map((u) => `${u.file} reads ${u.table} (${ownerOf(u.table)}'s)`);
    assert.deepEqual(foreign, []);
  });

  it('every listed exception still happens (a fixed one comes off the list)', () => {
    assert.deepEqual(
      known
        .filter((e) => !uses.some((u) => u.write === e.write && (e.where === u.file || e.where === u.unit) && e.table === u.table))
        .map((e) => `${e.where} ${e.write ? 'writes' : 'reads'} ${e.table}`),
      [],
    );
  });
});
