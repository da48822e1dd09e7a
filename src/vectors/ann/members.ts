// Which group each track is in, and each group's tracks, in typed arrays: the ANN path's two
// SQLite reads of membership per query (the track's own group, and the first tracks of the ~30
// ranked groups, one statement of ~30 index seeks): an uncached audio /similar at 1M took
// 0.82–0.86 ms p50 with them and 0.71–0.75 ms with this map (1.16× in three same-process A/Bs,
// the same lists: bench/vectors-similar-breakdown.ts --ab-members, docs/BENCHMARKS.md).
// 8 bytes a track and a group: 7.5 MiB per space at 1M, plus the few groups of several tracks
// (10–16k at 1M). Loaded at start (AnnIndex.warm) or by a space's first query: 0.4–1.5 s at 1M
// on a busy host.
//
// Kept in step like the delta graph (ann-index.ts): when the vector revision moves, the tracks
// changed since (vector_changes) have their group read again, one point read each; a build, an
// import or a reader too far behind reloads the whole map. Re-reading a track is idempotent, so a
// write landing between the revision read and the re-reads is simply seen again next time.
import type { Db } from '../../db/index.ts';
import { statementFor } from '../../db/index.ts';
import type { Space } from '../spaces.ts';
import { membersTable } from './groups.ts';

/** More changed tracks than this since the last look: reload rather than re-read each. */
const MAX_REPLAYED = 2_000;
/** Groups changed since the load past this: reload, so that a long-running server's overlay stays small (~100 bytes each). */
const MAX_CHANGED_GROUPS = 50_000;

export class MemberMap {
  /** Track id → its group (0: none). */
  private groupOfTrack: Int32Array = new Int32Array(0);
  /** Group id → its lowest track at load (0: none). Nearly every group has one track (1M audio: 988 881 groups). */
  private first: Int32Array = new Int32Array(0);
  /** The groups of several tracks at load: all of them, lowest id first. */
  private several = new Map<number, number[]>();
  /** Groups whose tracks changed since the load (or created since): their tracks now, lowest id first. */
  private readonly changed = new Map<number, readonly number[]>();
  private revisionSeen = -1;

  constructor(
    private readonly db: Db,
    readonly space: Space,
    private readonly maxChangedGroups = MAX_CHANGED_GROUPS,
  ) {}

  /**
   * Brings the map to `revision`: replays the tracks changed since the last look, or reloads
   * when `changes` cannot say which (null) or says too many.
   */
  follow(revision: number, changes: (since: number, limit: number) => number[] | null): void {
    if (revision === this.revisionSeen) return;
    const changed = this.revisionSeen < 0 ? null : changes(this.revisionSeen, MAX_REPLAYED);
    if (changed === null) this.load();
    else for (const track of new Set(changed)) this.reread(track);
    if (this.changed.size > this.maxChangedGroups) this.load();
    this.revisionSeen = revision;
  }

  loaded(): boolean {
    return this.revisionSeen >= 0;
  }

  /** Groups held apart from the arrays of the last load because their tracks changed since. */
  groupsChangedSinceLoad(): number {
    return this.changed.size;
  }

  groupOf(trackId: number): number | null {
    return this.groupOfTrack[trackId] || null;
  }

  /**
   * The first `limit` tracks of groups taken in the given order (best first), each group's
   * lowest ids first, as [group, track] pairs. Groups deleted since have no tracks and are skipped.
   */
  firstMembers(groups: readonly number[], limit: number): [number, number][] {
    const out: [number, number][] = [];
    for (const group of groups) {
      if (out.length >= limit) break;
      const tracks = this.changed.get(group) ?? this.several.get(group);
      if (tracks) {
        for (const track of tracks) {
          if (out.length >= limit) break;
          out.push([group, track]);
        }
      } else {
        const track = this.first[group];
        if (track) out.push([group, track]);
      }
    }
    return out;
  }

  /**
   * The whole table in track order, as two columns of plain numbers read in one snapshot: 1M
   * rows took 0.4–1.0 s so, against 1.5–2.4 s for rows as arrays in either order (a busy host).
   */
  private load(): void {
    const m = membersTable(this.space);
    const column = (name: string) => statementFor(this.db, `ann.members.${name}.${this.space}`, () => `SELECT ${name} FROM ${m}`).pluck();
    const { tracks, groups } = this.db.transaction(() => ({ tracks: column('track_id').all() as number[], groups: column('group_id').all() as number[] }))();
    let maxGroup = 0;
    for (const g of groups) if (g > maxGroup) maxGroup = g;
    const groupOfTrack = new Int32Array((tracks[tracks.length - 1] ?? 0) + 1);
    const first = new Int32Array(maxGroup + 1);
    const several = new Map<number, number[]>();
    // Tracks come in id order, so each group's tracks do too.
    for (let i = 0; i < tracks.length; i++) {
      const track = tracks[i] as number;
      const group = groups[i] as number;
      groupOfTrack[track] = group;
      const lowest = first[group] as number;
      if (lowest === 0) first[group] = track;
      else {
        const tracksOfGroup = several.get(group);
        if (tracksOfGroup) tracksOfGroup.push(track);
        else several.set(group, [lowest, track]);
      }
    }
    this.groupOfTrack = groupOfTrack;
    this.first = first;
    this.several = several;
    this.changed.clear();
  }

  /** One track's group as SQLite has it now, moved in the map. */
  private reread(track: number): void {
    const now =
      (statementFor(this.db, `ann.members.one.${this.space}`, () => `SELECT group_id FROM ${membersTable(this.space)} WHERE track_id = ?`)
        .pluck()
        .get(track) as number | undefined) ?? 0;
    const before = this.groupOfTrack[track] ?? 0;
    if (now === before) return;
    if (before !== 0)
      this.changed.set(
        before,
        this.tracksOf(before).filter((t) => t !== track),
      );
    if (now !== 0)
      this.changed.set(
        now,
        [...this.tracksOf(now), track].sort((a, b) => a - b),
      );
    if (track >= this.groupOfTrack.length) {
      const grown = new Int32Array(Math.max(track + 1, Math.ceil(this.groupOfTrack.length * 1.5)));
      grown.set(this.groupOfTrack);
      this.groupOfTrack = grown;
    }
    this.groupOfTrack[track] = now;
  }

  private tracksOf(group: number): readonly number[] {
    const tracks = this.changed.get(group) ?? this.several.get(group);
    if (tracks) return [...tracks];
    const track = this.first[group];
    return track ? [track] : [];
  }
}
