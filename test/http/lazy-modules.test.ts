// Modules a serving process needs only now and then load when first used, not at start: each
// is memory in every worker (issue 17's budget per worker; zxcvbn's word lists alone are 3 MiB
// of V8 heap), and most workers never check a password, draw a progress bar or build vectors.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { Client } from '../accounts/client.ts';
import { startServer, type TestServer } from '../helpers.ts';

const require = createRequire(import.meta.url);
// CommonJS packages, also when ESM imports them, are in require.cache once loaded.
const loaded = (pkg: string) => Object.keys(require.cache).some((file) => file.includes(`/node_modules/${pkg}/`));

describe('modules loaded at first use', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('a server answering requests has not loaded the password word lists, pino-pretty, cli-progress or ml-matrix', async () => {
    const res = await fetch(`${server.url}/api/tracks/1`);
    assert.equal(res.status, 200);
    for (const pkg of ['@zxcvbn-ts/core', '@zxcvbn-ts/language-common', 'pino-pretty', 'cli-progress', 'ml-matrix']) assert.equal(loaded(pkg), false, pkg);
  });

  it('the first password check loads the word lists', async () => {
    await new Client(server.url).register('first-check@example.com');
    assert.equal(loaded('@zxcvbn-ts/language-common'), true);
  });
});
