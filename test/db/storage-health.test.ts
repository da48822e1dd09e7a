import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyStorageError, StorageHealth } from '../../src/db/storage-health.ts';

const sqliteError = (code: string) => Object.assign(new Error(code), { code });

describe('StorageHealth', () => {
  it('classifies SQLite codes (extended ones too) and nothing else', () => {
    assert.equal(classifyStorageError(sqliteError('SQLITE_FULL'))?.kind, 'disk_full');
    assert.equal(classifyStorageError(sqliteError('SQLITE_IOERR_WRITE'))?.kind, 'io_error');
    assert.equal(classifyStorageError(sqliteError('SQLITE_READONLY_DBMOVED'))?.kind, 'read_only');
    assert.equal(classifyStorageError(sqliteError('SQLITE_CANTOPEN'))?.kind, 'cannot_open');
    assert.equal(classifyStorageError(sqliteError('SQLITE_BUSY'))?.kind, 'busy');
    assert.equal(classifyStorageError(sqliteError('SQLITE_CONSTRAINT_UNIQUE')), null);
    assert.equal(classifyStorageError(sqliteError('SQLITE_FULLNESS')), null);
    assert.equal(classifyStorageError(new Error('x')), null);
  });

  it('logs one line when faults start, then at most one summary per window, however often commits and faults interleave', async () => {
    let now = 1_000_000;
    const lines: string[] = [];
    const health = new StorageHealth('/data/x.sqlite', { logEveryMs: 50, settleMs: 20, now: () => now });
    health.setLogger({ error: (_o, m) => lines.push(`error ${m}`), info: (_o, m) => lines.push(`info ${m}`) });
    for (let i = 0; i < 1000; i++) {
      health.fault(sqliteError('SQLITE_FULL'));
      health.ok(); // a small write slipping through between failures
      now += 0.01;
    }
    assert.equal(health.state().status, 'degraded');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^error storage fault: SQLITE_FULL .* on \/data\/x\.sqlite: the disk holding the database is full/);
    const shared = sqliteError('SQLITE_IOERR_WRITE');
    health.fault(shared);
    health.fault(shared); // one failed batch rejects every caller with the same error: counted once
    assert.equal(health.state().faults, 1001);
    now += 60;
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /1000 more fault\(s\) \(SQLITE_FULL ×999, SQLITE_IOERR_WRITE ×1\)/);
    // Commits for settleMs after the last fault: ok again, said once (the window has passed).
    now += 60;
    health.ok();
    assert.equal(health.state().status, 'ok');
    assert.equal(lines.length, 3);
    assert.match(lines[2] ?? '', /^info storage recovered/);
    health.close();
  });

  it('busy timeouts answer 503 but do not mark storage degraded', () => {
    const health = new StorageHealth(':memory:');
    assert.equal(health.fault(sqliteError('SQLITE_BUSY'))?.kind, 'busy');
    assert.equal(health.state().status, 'ok');
  });
});
