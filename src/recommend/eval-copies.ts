// Throwaway copies of the database for the offline evaluations: held-out rows are deleted in a
// copy before its vectors are built, so nothing the evaluation hides can leak through the
// spaces, popularity or co-purchases (the live database is never written).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserService } from '../accounts/index.ts';
import { loadConfig } from '../config.ts';
import { type Db, openPrimary, type WriteQueue } from '../db/index.ts';
import { Customers, TrackHistory } from '../store/index.ts';
import { ensureVectors, type SimilarityService } from '../vectors/index.ts';
import { Recommender } from './recommender.ts';

export class EvaluationCopies {
  private readonly dir: string;
  private readonly base: string;
  private opened = 0;

  /** Snapshots `source` (VACUUM INTO: one consistent read) and builds its vectors there if missing. */
  constructor(source: Db) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chinook-eval-'));
    this.base = path.join(this.dir, 'base.sqlite');
    source.prepare('VACUUM INTO ?').run(this.base);
    const db = this.openFile(this.base);
    try {
      ensureVectors(db);
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }

  /** A fresh copy of the snapshot, open; close it with `close`. */
  open(): Db {
    const file = path.join(this.dir, `copy-${++this.opened}.sqlite`);
    fs.copyFileSync(this.base, file);
    return this.openFile(file);
  }

  close(db: Db): void {
    const file = db.name;
    if (db.open) db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private openFile(file: string): Db {
    return openPrimary(loadConfig({ dbPath: file, logLevel: 'silent' }, {}));
  }
}

/** A recommender over a database without a running context (an evaluation copy, a benchmark): the store's history and accounts, read directly. */
export function recommenderOn(db: Db, similarity: SimilarityService, writes: WriteQueue): Recommender {
  return new Recommender(db, similarity, { history: new TrackHistory(db), customers: new Customers(db), users: new UserService(db, writes) });
}
