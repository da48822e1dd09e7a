// Bad input on every route ends in a 4xx {error, message} reply, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startServer, type TestServer } from '../helpers.ts';
import { assertClientError } from './util.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const detailRoutes = ['/api/artists', '/api/albums', '/api/tracks', '/api/playlists'];
const pagedRoutes = ['/api/artists', '/api/albums', '/api/playlists', '/api/tracks', '/api/playlists/1'];
const limitedRoutes = [...pagedRoutes, '/api/reports/sales-by-country', '/api/reports/top-artists', '/api/reports/top-tracks'];
const noQueryRoutes = ['/api/genres', '/api/media-types', '/api/artists/1', '/api/albums/1', '/api/tracks/1', '/api/tracks/by-slug/enter-sandman-1801'];
const sortedRoutes: Record<string, string[]> = {
  '/api/artists': ['name', 'id'],
  '/api/albums': ['title', 'id'],
  '/api/playlists': ['name', 'id'],
  '/api/tracks': ['name', 'price', 'newest'],
};

async function expectError(path: string, status: number | 'any4xx' = 400, init?: RequestInit) {
  const res = await server.get(path, init);
  assertClientError(res, status, `${init?.method ?? 'GET'} ${path}`);
  return res.body as { error: string; message: string; details?: unknown };
}

describe('ids', () => {
  for (const base of detailRoutes) {
    it(`${base}/:id: unknown → 404, malformed → 400`, async () => {
      const nf = await expectError(`${base}/999999`, 404);
      assert.equal(nf.error, 'not_found');
      assert.match(nf.message, /999999/);
      for (const bad of ['abc', '0', '-1', '1.5', '99999999999999999999', '9007199254740992', 'Infinity', '1e400', '%20', '1;DROP TABLE x']) {
        await expectError(`${base}/${encodeURIComponent(bad)}`, 400);
      }
    });
  }

  it('/api/tracks/by-slug: unknown → 404, not a slug → 400', async () => {
    await expectError('/api/tracks/by-slug/no-such-track-0', 404);
    for (const bad of ['Enter-Sandman', 'a b', 'x'.repeat(201), "'--", '%E0%A4%A'])
      await expectError(`/api/tracks/by-slug/${bad.includes('%') ? bad : encodeURIComponent(bad)}`, 'any4xx');
  });

  it('a URL that is not valid percent-encoding is a JSON 400', async () => {
    const body = await expectError('/api/tracks/%E0%A4%A', 400);
    assert.equal(body.error, 'bad_request');
  });
});

describe('limits, sorts and unknown parameters', () => {
  for (const route of limitedRoutes) {
    it(`${route}: limit 0, 101, 10000, abc, -1, 1.5 → 400`, async () => {
      for (const limit of ['0', '101', '10000', 'abc', '-1', '1.5', '', 'Infinity', '-Infinity', '1e400']) {
        const body = await expectError(`${route}?limit=${limit}`, 400);
        assert.match(body.message, /limit/);
      }
    });
  }

  for (const route of [...limitedRoutes, ...noQueryRoutes]) {
    it(`${route}: an unknown query parameter → 400 naming it`, async () => {
      const body = await expectError(`${route}?colour=blue`, 400);
      assert.match(body.message, /colour/);
    });
  }

  for (const route of Object.keys(sortedRoutes)) {
    it(`${route}: an unknown sort → 400`, async () => {
      for (const sort of ['popularity', 'NAME', '', '-id;DROP']) {
        const body = await expectError(`${route}?sort=${encodeURIComponent(sort)}`, 400);
        assert.match(body.message, /sort/);
      }
    });
  }

  it('a value outside a choice is one error naming the allowed values, not one per value', async () => {
    for (const [path, field, expected] of [
      ['/api/tracks?sort=popularity', 'sort', ['name', 'price', 'newest']],
      ['/api/tracks/1/similar?space=nope', 'space', ['audio', 'lyric', 'metadata', 'blend']],
    ] as const) {
      const body = (await expectError(path, 400)) as { message: string; details: { field: string; params: { allowedValues: string[] } }[] };
      assert.equal(body.details.length, 1, path);
      assert.equal(body.details[0]?.field, `querystring.${field}`);
      for (const value of expected) {
        assert.ok(body.details[0]?.params.allowedValues.includes(value), `${path}: ${value}`);
        assert.ok(body.message.includes(value), `${path}: the message names ${value}`);
      }
      assert.doesNotMatch(body.message, /constant|anyOf/);
    }
  });

  it('repeated parameters are rejected, not half-used', async () => {
    await expectError('/api/tracks?limit=5&limit=6', 400);
    await expectError('/api/tracks?sort=name&sort=price', 400);
  });
});

describe('cursors', () => {
  const broken = [
    'not a cursor',
    '!!!!',
    b64('{"s":'),
    b64('null'),
    b64([1, 2]),
    b64({}),
    b64({ s: 'id', v: 'text', id: 1 }),
    b64({ s: 'id', v: 1, id: 1.5 }),
    b64({ s: 'id', v: 1, id: '1' }),
    b64({ s: 'id', v: 1, id: 1e300 }),
    'x'.repeat(8193),
  ];

  for (const route of pagedRoutes) {
    it(`${route}: a broken cursor → 400`, async () => {
      for (const cursor of broken) {
        const body = await expectError(`${route}?cursor=${encodeURIComponent(cursor)}`, 400);
        assert.match(body.message, /cursor/);
      }
    });
  }

  it('a cursor made for another sort → 400 that says so', async () => {
    for (const [route, sorts] of Object.entries(sortedRoutes)) {
      const first = await server.get(`${route}?limit=2&sort=${sorts[0]}`);
      const cursor = first.body.nextCursor as string;
      assert.equal(typeof cursor, 'string');
      const body = await expectError(`${route}?limit=2&sort=${sorts[1]}&cursor=${encodeURIComponent(cursor)}`, 400);
      assert.match(body.message, /sort/);
    }
    const nameCursor = (await server.get('/api/tracks?sort=name&limit=1')).body.nextCursor;
    await expectError(`/api/playlists/1?cursor=${encodeURIComponent(nameCursor)}`, 400);
  });
});

describe('track filters', () => {
  it('minPrice > maxPrice and minDurationMs > maxDurationMs → 400 naming both', async () => {
    const price = await expectError('/api/tracks?minPrice=2&maxPrice=1', 400);
    assert.match(price.message, /minPrice.*maxPrice/);
    const duration = await expectError('/api/tracks?minDurationMs=300000&maxDurationMs=1000', 400);
    assert.match(duration.message, /minDurationMs.*maxDurationMs/);
    assert.equal((await server.get('/api/tracks?minPrice=0.99&maxPrice=0.99')).status, 200);
  });

  it('malformed or out-of-range filter values → 400', async () => {
    for (const q of [
      'genreId=0',
      'genreId=abc',
      'artistId=-3',
      'albumId=1.5',
      'mediaTypeId=99999999999999999999',
      'minPrice=-1',
      'maxPrice=cheap',
      'minPrice=Infinity',
      'minPrice=NaN',
      'maxPrice=1e400',
      'genreId=Infinity',
      'minDurationMs=-1',
      'maxDurationMs=1.5',
      'maxDurationMs=1e11',
    ]) {
      await expectError(`/api/tracks?${q}`, 400);
    }
  });
});

describe('routing', () => {
  it('an unknown route → 404 JSON', async () => {
    for (const path of ['/api/nothing', '/api', '/api/tracks/1/extra', '/API/TRACKS', '/nothing?x=1']) {
      const body = await expectError(path, 404);
      assert.equal(body.error, 'not_found');
    }
  });

  it('a wrong method → 404/405 JSON', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/api/tracks', '/api/tracks/1', '/health', '/api/reports/top-tracks']) {
        const res = await server.get(path, method === 'DELETE' ? { method } : { method, headers: { 'content-type': 'application/json' }, body: '{}' });
        assert.ok([404, 405].includes(res.status), `${method} ${path}: ${res.status}`);
        assertClientError(res, res.status, `${method} ${path}`);
      }
    }
  });
});

describe('property: random query strings on /api/tracks', () => {
  it('never give a 5xx, and every 4xx has the error shape', async () => {
    // Mostly plausible values, so that requests get past validation into the SQL; now and
    // then a wild one, an unknown key or raw (unencoded) text.
    const wild = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.double().map(String),
      fc.constantFrom('', '-0', '1e309', 'Infinity', '-Infinity', '1e400', 'NaN', '1e-400', '0x10', 'null', '[]', '%', '%zz', '\u0000', '😀'),
      fc.jsonValue().map((v) => b64(v)),
    );
    const plausible: Record<string, fc.Arbitrary<string>> = {
      limit: fc.integer({ min: -5, max: 120 }).map(String),
      sort: fc.constantFrom('id', 'name', '-name', 'price', '-price', 'duration', '-duration', 'newest'),
      cursor: fc
        .record({
          s: fc.constantFrom('id', 'name', '-name', 'price', 'duration', 'newest'),
          v: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constantFrom('Rock', 0.99, 1.99, 300000)),
          id: fc.oneof(fc.integer(), fc.integer({ min: 0, max: 4000 })),
        })
        .map(b64),
      genreId: fc.integer({ min: -1, max: 30 }).map(String),
      artistId: fc.integer({ min: -1, max: 300 }).map(String),
      albumId: fc.integer({ min: -1, max: 400 }).map(String),
      mediaTypeId: fc.integer({ min: -1, max: 6 }).map(String),
      minPrice: fc.constantFrom('0', '0.99', '1', '1.99', '2', '1000001'),
      maxPrice: fc.constantFrom('0', '0.99', '1', '1.99', '2', '1000001'),
      minDurationMs: fc.integer({ min: -1, max: 6_000_000 }).map(String),
      maxDurationMs: fc.integer({ min: -1, max: 6_000_000 }).map(String),
    };
    const pair = fc.oneof(
      { arbitrary: fc.constantFrom(...Object.keys(plausible)).chain((k) => fc.tuple(fc.constant(k), plausible[k]!)), weight: 8 },
      { arbitrary: fc.tuple(fc.constantFrom(...Object.keys(plausible)), wild), weight: 2 },
      { arbitrary: fc.tuple(fc.string({ maxLength: 8 }), wild), weight: 1 },
    );
    const encodings = fc.constantFrom('component', 'component', 'component', 'raw');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(pair, encodings), { maxLength: 5 }), async (pairs) => {
        const qs = pairs
          .map(([[k, v], e]) => (e === 'raw' ? `${k.replace(/[#\s]/g, '')}=${v.replace(/[#\s]/g, '')}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
          .join('&');
        const res = await server.get(`/api/tracks?${qs}`);
        assert.ok(res.status < 500, `/api/tracks?${qs} → ${res.status} ${JSON.stringify(res.body)}`);
        if (res.status >= 400) assertClientError(res, 'any4xx', `/api/tracks?${qs}`);
        else assert.ok(Array.isArray(res.body.items));
      }),
      { numRuns: 250 },
    );
  });
});
