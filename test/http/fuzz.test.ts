// Requests generated from the live OpenAPI document (/docs/json) with fast-check: for every
// operation, CHINOOK_FUZZ_RUNS (100) requests as an anonymous visitor, a logged-in customer or
// an admin, mostly valid and partly malformed. Every reply must be below 500, have a status the
// operation declares, and match that status's declared schema (compiled with Ajv).
//   CHINOOK_FUZZ_RUNS=1000 CHINOOK_FUZZ_SEED=random node --import tsx --test test/http/fuzz.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import fc from 'fast-check';
import { buildVectors } from '../../src/vectors/build.ts';
import { Client } from '../accounts/client.ts';
import { importedDb, startServerOn, type TestServer } from '../helpers.ts';
import { type GeneratedRequest, type Operation, operationsOf, requestArb, requestOf } from './openapi-arbitraries.ts';

const RUNS = Number(process.env.CHINOOK_FUZZ_RUNS ?? 100);
const SEED = process.env.CHINOOK_FUZZ_SEED === 'random' ? undefined : Number(process.env.CHINOOK_FUZZ_SEED ?? 12);
const token = 'fuzz-admin-token';
type Who = 'anonymous' | 'customer' | 'admin';

let server: TestServer;
let customer: Client;
let operations: Operation[];
const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its function is the default export's default under NodeNext.
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
const validators = new Map<string, ValidateFunction>();

// Operations that end the customer's session (a password change ends the others, then logout
// ends this one) run last and one at a time, so the others see a live session.
const sessionEnding = ['/api/me/password', '/api/auth/logout'];
const CONCURRENCY = 4;

before(async () => {
  const { config, db } = importedDb({ adminToken: token, loginRatePerMinute: 100_000, cachePreload: false });
  buildVectors(db); // similar tracks, recommendations and hybrid search answer 409 without them
  server = await startServerOn(config, db);
  customer = new Client(server.url);
  assert.equal((await customer.register('fuzz@example.com')).status, 201);
  await customer.get('/api/auth/csrf');
  operations = operationsOf((await server.get('/docs/json')).body);
});
after(() => server.close());

function validatorFor(op: Operation, status: string): ValidateFunction | null {
  const schema = op.responses[status]?.schema;
  if (!schema) return null;
  const key = `${op.method} ${op.path} ${status}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const v = ajv.compile(schema);
  validators.set(key, v);
  return v;
}

async function send(op: Operation, req: GeneratedRequest, who: Who): Promise<{ status: number; text: string; contentType: string }> {
  const qs = req.query.length ? `?${new URLSearchParams(req.query).toString()}` : '';
  const headers: Record<string, string> = {};
  if (who === 'admin') headers.authorization = `Bearer ${token}`;
  if (who === 'customer') {
    if (customer.cookie) headers.cookie = customer.cookie;
    if (customer.csrf) headers['x-csrf-token'] = customer.csrf;
  }
  if (req.body) headers['content-type'] = req.body.contentType;
  const res = await fetch(server.url + req.path + qs, { method: op.method, headers, body: req.body?.text });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

/** Why a reply breaks the contract, or null. */
function contractBreach(op: Operation, status: number, text: string, contentType: string): string | null {
  if (status >= 500) return `${status}: ${text.slice(0, 300)}`;
  const declared = op.responses[String(status)];
  if (!declared) return `undeclared status ${status} (declared: ${Object.keys(op.responses).join(', ')}): ${text.slice(0, 200)}`;
  if (status === 204 || status === 304) return text === '' ? null : `${status} with a body`;
  const validate = validatorFor(op, String(status));
  if (!validate) return null;
  if (!contentType.startsWith('application/json')) return `${status} is ${contentType || 'untyped'}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${status}: not JSON: ${text.slice(0, 100)}`;
  }
  return validate(body) ? null : `${status} does not match its schema: ${ajv.errorsText(validate.errors)}; body ${text.slice(0, 300)}`;
}

describe(`fuzz: ${RUNS} requests per operation generated from /docs/json`, () => {
  it('every operation: no 5xx, every status declared, every body matching its schema', async (t) => {
    const breaches: string[] = [];
    const reached: string[] = [];
    let sent = 0;
    const fuzzOne = async (op: Operation) => {
      const arb = fc.tuple(requestArb(op), fc.constantFrom<Who>('anonymous', 'customer', 'admin'));
      const seed = SEED === undefined ? undefined : SEED + op.path.length * 31 + op.method.length;
      const samples = fc.sample(arb, { numRuns: RUNS, ...(seed === undefined ? {} : { seed }) });
      let opBreaches = 0;
      const statuses = new Map<number, number>();
      for (const [req, who] of samples) {
        const r = await send(op, req, who);
        sent++;
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const breach = contractBreach(op, r.status, r.text, r.contentType);
        if (breach && opBreaches++ < 3) {
          breaches.push(
            `${op.method} ${op.path} as ${who}: ${req.path}${req.query.length ? `?${new URLSearchParams(req.query)}` : ''} ${req.body ? `${req.body.contentType} ${req.body.text.slice(0, 120)}` : ''}\n    → ${breach}`,
          );
        }
      }
      reached.push(
        `${op.method} ${op.path}: ${[...statuses]
          .sort((a, b) => a[0] - b[0])
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
      );
    };
    const queue = operations.filter((op) => !sessionEnding.includes(op.path));
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let op = queue.shift(); op; op = queue.shift()) await fuzzOne(op);
      }),
    );
    for (const path of sessionEnding) for (const op of operations.filter((o) => o.path === path)) await fuzzOne(op);
    for (const line of reached.sort()) t.diagnostic(line);
    // The generator must get past validation: most operations answer 2xx to some requests.
    const succeeded = reached.filter((line) => / 2\d\d×/.test(line)).length;
    assert.ok(succeeded >= operations.length * 0.8, `only ${succeeded} of ${operations.length} operations ever answered 2xx`);
    assert.ok(sent >= RUNS * operations.length);
    assert.equal(breaches.length, 0, `${breaches.length} contract breaches (first 3 per operation):\n${breaches.join('\n')}`);
  });

  it('what the document calls required is required: a request without it is a 400', async () => {
    const lies: string[] = [];
    let checked = 0;
    for (const op of operations) {
      const [valid] = fc.sample(requestOf(op, false), { numRuns: 1, seed: 5 });
      if (!valid) continue;
      const omissions: [string, GeneratedRequest][] = [];
      for (const p of op.parameters.filter((x) => x.in === 'query' && x.required)) {
        omissions.push([`query ${p.name}`, { ...valid, query: valid.query.filter(([name]) => name !== p.name) }]);
      }
      for (const field of (op.body?.required as string[] | undefined) ?? []) {
        const body = JSON.parse(valid.body?.text ?? '{}') as Record<string, unknown>;
        delete body[field];
        omissions.push([`body ${field}`, { ...valid, body: { contentType: 'application/json', text: JSON.stringify(body) } }]);
      }
      for (const [what, req] of omissions) {
        checked++;
        const r = await send(op, req, 'admin');
        if (r.status !== 400) lies.push(`${op.method} ${op.path}: ${what} is declared required, but without it the reply is ${r.status}`);
      }
    }
    assert.ok(checked > 10, `only ${checked} required parameters and fields`);
    assert.deepEqual(lies, []);
  });
});
