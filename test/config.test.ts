// The config module: defaults, env, flags, and a clear ConfigError for every bad value.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, describeSettings, loadConfig, projectRoot } from '../src/config.ts';

describe('loadConfig', () => {
  it("defaults are the seed's 100-user numbers", () => {
    const c = loadConfig({}, {});
    assert.equal(c.port, 3000);
    assert.equal(c.host, 'localhost');
    assert.equal(c.pageSize, 32768);
    assert.equal(c.cacheSizeKiB, 131072);
    assert.equal(c.mmapSize, 536870912);
    assert.equal(c.busyTimeoutMs, 10000);
    assert.equal(c.walAutocheckpoint, 2000);
    assert.equal(c.autoImport, true);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.dbPath, path.join(projectRoot, 'data', 'chinook.sqlite'));
    assert.equal(c.source, undefined);
    assert.ok(Object.isFrozen(c));
  });

  it('reads env vars and lets flags win over them', () => {
    const env = { PORT: '8080', CHINOOK_PAGE_SIZE: '4096', LOG_LEVEL: 'warn', CHINOOK_AUTO_IMPORT: 'off', HOST: '0.0.0.0', CHINOOK_DB: 'x/y.sqlite' };
    const c = loadConfig({}, env);
    assert.equal(c.port, 8080);
    assert.equal(c.pageSize, 4096);
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.autoImport, false);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dbPath, path.join(projectRoot, 'x', 'y.sqlite'), 'relative paths are from the project root');
    const flagged = loadConfig({ port: 9090, logLevel: 'debug' }, env);
    assert.equal(flagged.port, 9090);
    assert.equal(flagged.logLevel, 'debug');
    assert.equal(loadConfig({}, { PORT: '' }).port, 3000, 'an empty env var means unset');
    assert.equal(loadConfig({ dbPath: ':memory:' }, {}).dbPath, ':memory:');
  });

  const bad: [string, string, RegExp][] = [
    ['PORT', 'abc', /whole number/],
    ['PORT', '70000', /outside 0\.\.65535/],
    ['PORT', '-1', /outside/],
    ['PORT', '80.5', /whole number/],
    ['CHINOOK_PAGE_SIZE', '100', /outside 512\.\.65536/],
    ['CHINOOK_PAGE_SIZE', 'big', /whole number/],
    ['LOG_LEVEL', 'loud', /not one of fatal, error, warn, info, debug, trace, silent/],
    ['CHINOOK_WORKERS', '0', /outside 1\.\.64/],
    ['CHINOOK_CLUSTER_ACCEPT', 'round-robin', /not one of workers, primary/],
    ['CHINOOK_ACCEPT_DESCRIPTORS', '0', /outside 1\.\.256/],
    ['CHINOOK_CACHE_SIZE_KIB', '1e6', /whole number/],
    ['CHINOOK_MMAP_SIZE', '-5', /outside/],
    ['CHINOOK_BUSY_TIMEOUT_MS', '10s', /whole number/],
    ['CHINOOK_WAL_AUTOCHECKPOINT', '99999999999', /outside/],
    ['CHINOOK_AUTO_IMPORT', 'maybe', /true\/false/],
    ['HOST', '   ', /must not be empty/],
  ];
  for (const [env, value, why] of bad) {
    it(`${env}=${JSON.stringify(value)} throws a ConfigError naming the setting and the variable`, () => {
      assert.throws(
        () => loadConfig({}, { [env]: value }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          const setting = describeSettings(loadConfig({}, {})).find((s) => s.env === env)!.name;
          assert.equal(err.setting, setting);
          assert.ok(err.message.includes(setting), `names ${setting}: ${err.message}`);
          assert.ok(err.message.includes(env), `names ${env}: ${err.message}`);
          assert.match(err.message, why);
          return true;
        },
      );
    });
  }

  it('a bad flag says it came from a flag', () => {
    assert.throws(() => loadConfig({ port: 'x' }, {}), /port \(flag\)/);
    assert.throws(() => loadConfig({ pageSize: 1 << 20 }, {}), /pageSize \(flag\).*outside/);
  });

  it('describeSettings lists every setting with its env var and hides the admin token', () => {
    const rows = describeSettings(loadConfig({}, { CHINOOK_ADMIN_TOKEN: 'secret-token' }));
    const byEnv = new Map(rows.map((r) => [r.env, r]));
    for (const env of ['CHINOOK_DB', 'PORT', 'HOST', 'CHINOOK_SOURCE', 'LOG_LEVEL', 'CHINOOK_PAGE_SIZE']) assert.ok(byEnv.has(env), env);
    assert.equal(byEnv.get('CHINOOK_ADMIN_TOKEN')!.value, '(set)');
    assert.ok(!JSON.stringify(rows).includes('secret-token'));
  });
});
