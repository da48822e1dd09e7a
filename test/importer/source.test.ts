// Where the Chinook file comes from: explicit paths, the shared copy, the verified download.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CHINOOK_RELEASE, resolveSource, SourceNotFoundError } from '../../src/importer/source.ts';
import { chinookSource, tempDir } from '../helpers.ts';

const official = () => new Uint8Array(fs.readFileSync(chinookSource));
const noDownload = async (): Promise<Uint8Array> => {
  throw new Error('download must not be attempted here');
};

function assertWaysOut(err: unknown): asserts err is SourceNotFoundError {
  assert.ok(err instanceof SourceNotFoundError, String(err));
  assert.match(err.message, /Tried:/);
  assert.match(err.message, /--source/);
  assert.match(err.message, /--synthetic/);
}

describe('resolveSource', () => {
  it('the shared dataset used by the tests is the official v1.4.5 file', async () => {
    const r = await resolveSource({ flag: chinookSource, download: noDownload });
    assert.equal(r.origin, 'flag');
    assert.equal(r.verified, true);
    assert.equal(r.sha256, CHINOOK_RELEASE.sha256);
  });

  it('an explicit --source or $CHINOOK_SOURCE that does not exist is an error, not a fallback', async () => {
    const dir = tempDir();
    const missing = path.join(dir, 'nope.sqlite');
    for (const opts of [{ flag: missing }, { env: missing }]) {
      await assert.rejects(resolveSource({ ...opts, sharedPath: chinookSource, downloadDir: dir, download: noDownload }), (err) => {
        assertWaysOut(err);
        assert.ok(err.message.includes(missing), 'names the missing path');
        assert.match(err.message, /no such file/);
        return true;
      });
    }
    fs.rmSync(dir, { recursive: true });
  });

  it('a non-official file given explicitly is used, with a warning, and not marked verified', async () => {
    const dir = tempDir();
    const other = path.join(dir, 'other.sqlite');
    fs.writeFileSync(other, 'not chinook');
    const log: string[] = [];
    const r = await resolveSource({ env: other, download: noDownload, log: (l) => log.push(l) });
    assert.equal(r.origin, 'env');
    assert.equal(r.verified, false);
    assert.ok(log.some((l) => l.includes('not the official')));
    fs.rmSync(dir, { recursive: true });
  });

  it('a wrong checksum at the shared location is skipped for the download', async () => {
    const dir = tempDir();
    const shared = path.join(dir, 'shared', 'Chinook_Sqlite.sqlite');
    fs.mkdirSync(path.dirname(shared));
    fs.writeFileSync(shared, 'tampered');
    let calls = 0;
    const r = await resolveSource({
      sharedPath: shared,
      downloadDir: path.join(dir, 'downloads'),
      download: async () => {
        calls++;
        return official();
      },
    });
    assert.equal(calls, 1);
    assert.equal(r.origin, 'download');
    assert.notEqual(r.path, shared);
    fs.rmSync(dir, { recursive: true });
  });

  it('a downloaded file with the wrong checksum is refused, naming expected and got, and not kept', async () => {
    const dir = tempDir();
    const bytes = new TextEncoder().encode('<html>rate limited</html>');
    const got = createHash('sha256').update(bytes).digest('hex');
    const downloads = path.join(dir, 'downloads');
    await assert.rejects(resolveSource({ sharedPath: path.join(dir, 'absent.sqlite'), downloadDir: downloads, download: async () => bytes }), (err) => {
      assertWaysOut(err);
      assert.ok(err.message.includes(got), 'names the checksum it got');
      assert.ok(err.message.includes(CHINOOK_RELEASE.sha256), 'names the checksum it expected');
      assert.ok(err.message.includes(path.join(dir, 'absent.sqlite')), 'lists the shared path it tried');
      return true;
    });
    assert.equal(fs.existsSync(path.join(downloads, 'Chinook_Sqlite.sqlite')), false);
    fs.rmSync(dir, { recursive: true });
  });

  it('the right bytes are saved, verified, and reused next time without downloading', async () => {
    const dir = tempDir();
    const downloads = path.join(dir, 'downloads');
    const urls: string[] = [];
    const r = await resolveSource({
      sharedPath: path.join(dir, 'absent.sqlite'),
      downloadDir: downloads,
      download: async (url) => {
        urls.push(url);
        return official();
      },
    });
    assert.deepEqual(urls, [CHINOOK_RELEASE.url]);
    assert.equal(r.origin, 'download');
    assert.equal(r.verified, true);
    assert.equal(r.path, path.join(downloads, 'Chinook_Sqlite.sqlite'));
    assert.equal(createHash('sha256').update(fs.readFileSync(r.path)).digest('hex'), CHINOOK_RELEASE.sha256);
    assert.deepEqual(fs.readdirSync(downloads), ['Chinook_Sqlite.sqlite'], 'no partial file left behind');
    const again = await resolveSource({ sharedPath: path.join(dir, 'absent.sqlite'), downloadDir: downloads, download: noDownload });
    assert.equal(again.path, r.path);
    fs.rmSync(dir, { recursive: true });
  });

  it('no network: the message says why the download failed and what else was tried', async () => {
    const dir = tempDir();
    const download = async (): Promise<Uint8Array> => {
      throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND github.com') });
    };
    await assert.rejects(resolveSource({ sharedPath: path.join(dir, 'absent.sqlite'), downloadDir: path.join(dir, 'd'), download }), (err) => {
      assertWaysOut(err);
      assert.match(err.message, /fetch failed: getaddrinfo ENOTFOUND github\.com/);
      assert.ok(err.message.includes(CHINOOK_RELEASE.url));
      assert.match(err.message, /--source: not given/);
      assert.match(err.message, /\$CHINOOK_SOURCE: not given/);
      return true;
    });
    fs.rmSync(dir, { recursive: true });
  });
});
