// fast-check arbitraries for requests described by an OpenAPI 3 document (the live /docs/json):
// mostly valid values, so requests get past validation into the handlers, and a steady share
// of invalid ones (wrong types, out of range, malformed numbers, unknown fields, non-JSON).
import fc from 'fast-check';

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI schemas are open-ended JSON.
export type Schema = Record<string, any>;

export interface Operation {
  method: string;
  path: string;
  parameters: { in: 'path' | 'query' | 'header' | 'cookie'; name: string; required?: boolean; schema: Schema }[];
  body?: Schema;
  responses: Record<string, { schema?: Schema }>;
}

export interface GeneratedRequest {
  path: string;
  query: [string, string][];
  body?: { contentType: string; text: string };
}

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document as parsed JSON.
export function operationsOf(spec: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const responses: Operation['responses'] = {};
      for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, Schema>))
        responses[status] = { schema: r.content?.['application/json']?.schema };
      ops.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: op.requestBody?.content?.['application/json']?.schema, responses });
    }
  }
  return ops;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** `arb` one time in `every`, else null (fc.option's freq is the other way round: nil one time in freq). */
const sometimes = <T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** Integers biased towards ids that exist (Chinook's are 1–3503) and the schema's edges. */
function integerArb(schema: Schema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -MAX_SAFE;
  const max = typeof schema.maximum === 'number' ? schema.maximum : MAX_SAFE;
  const clamp = (n: number) => Math.min(max, Math.max(min, n));
  return fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: Math.max(min, -100), max: Math.min(max, 4000) }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max, clamp(0), clamp(1)) },
    { weight: 1, arbitrary: fc.maxSafeInteger().map(clamp) },
  );
}

function numberArb(schema: Schema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -1e9;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1e9;
  // Cents, as prices are written (a double printed as 1e-7 is not a plain decimal in a query string).
  return fc.oneof(
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => Math.min(max, Math.max(min, Math.round(x * 100) / 100))),
    fc.integer({ min: Math.ceil(Math.max(min, -1000)), max: Math.floor(Math.min(max, 1000)) }),
  );
}

function stringArb(schema: Schema): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, Math.max(minLength, 40));
  if (schema.format === 'date')
    return fc.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (schema.format === 'email' || /email/i.test(String(schema.description ?? ''))) return emailArb;
  if (typeof schema.pattern === 'string') {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? 10_000));
  }
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
      { weight: 2, arbitrary: fc.constantFrom('rock', 'love', 'metallica', 'a', 'AC/DC', 'beethoven', 'the', 'x'.repeat(Math.max(minLength, 1))) },
      { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
    )
    .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? 10_000));
}

const emailArb = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,11}$/), fc.constantFrom('example.com', 'mail.test', 'x.org'))
  .map(([user, host]) => `${user}@${host}`);

/** Fields whose schema is a plain string but whose handler wants more: most generated values should pass. */
const byName: Record<string, fc.Arbitrary<unknown>> = {
  email: emailArb,
  password: fc.oneof(fc.constantFrom('correct horse battery staple', 'Tr0ub4dor&3 plus more'), fc.string({ minLength: 14, maxLength: 40 })),
};

/** A value the schema accepts (most of the time: string patterns and formats are honoured, cross-field rules are not). */
export function validValue(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || Object.keys(schema).length === 0) return fc.jsonValue({ maxDepth: 2 });
  let base: fc.Arbitrary<unknown>;
  if (schema.anyOf || schema.oneOf) base = fc.oneof(...((schema.anyOf ?? schema.oneOf) as Schema[]).map((s) => validValue(s, depth + 1)));
  else if (schema.const !== undefined) base = fc.constant(schema.const);
  else if (Array.isArray(schema.enum)) base = fc.constantFrom(...schema.enum);
  else {
    switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
      case 'integer':
        base = integerArb(schema);
        break;
      case 'number':
        base = numberArb(schema);
        break;
      case 'string':
        base = stringArb(schema);
        break;
      case 'boolean':
        base = fc.boolean();
        break;
      case 'null':
        base = fc.constant(null);
        break;
      case 'array':
        base = fc.array(validValue(schema.items, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 5, Math.max(schema.minItems ?? 0, 5)),
        });
        break;
      case 'object':
        base = objectArb(schema, depth, false);
        break;
      default:
        base = fc.jsonValue({ maxDepth: 1 });
    }
  }
  return schema.nullable ? fc.option(base, { nil: null, freq: 5 }) : base;
}

/** Values a JSON body should be refused for: wrong types, past JSON's number range, odd shapes. */
export const invalidJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('Infinity', '1e400', '-1e400', '5', 'true', '', '0x10'),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

function objectArb(schema: Schema, depth: number, chaos: boolean): fc.Arbitrary<Record<string, unknown>> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(schema.required ?? []);
  const entries = Object.entries(props).map(([name, s]) => {
    const valid = byName[name] ?? validValue(s, depth + 1);
    const value = chaos ? fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: invalidJson }) : valid;
    // Optional fields come and go; with chaos, required ones are sometimes missing too.
    const presence = required.has(name) ? (chaos ? 0.95 : 1) : 0.6;
    return fc.tuple(
      fc.constant(name),
      value,
      fc.double({ min: 0, max: 1, noNaN: true }).map((r) => r < presence),
    );
  });
  const extra = chaos
    ? sometimes(fc.tuple(fc.constantFrom('zz', 'id', '__proto__', 'constructor', 'isAdmin'), fc.jsonValue({ maxDepth: 1 })), 8)
    : fc.constant(null);
  return fc.tuple(fc.tuple(...entries), extra).map(([fields, more]) => {
    const out: Record<string, unknown> = {};
    for (const [name, value, present] of fields) if (present) out[name] = value;
    if (more) out[more[0]] = more[1];
    return out;
  });
}

/** A path or query value as text: the valid value printed, or (with chaos) sometimes a malformed one. */
function textValue(schema: Schema, chaos: boolean): fc.Arbitrary<string> {
  const valid = validValue(schema).map((v) => (Array.isArray(v) ? v.join(',') : String(v)));
  if (!chaos) return valid;
  const invalid = fc.oneof(
    fc.constantFrom(
      '',
      '0',
      '-1',
      '0x10',
      '1e3',
      '+1',
      ' 1',
      '1.5',
      'Infinity',
      'NaN',
      '9'.repeat(40),
      '7'.repeat(150),
      'null',
      'true',
      '%00',
      '../',
      "'; DROP TABLE x;--",
    ),
    fc.string({ maxLength: 30 }),
    fc.string({ maxLength: 10, unit: 'grapheme' }),
  );
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

/**
 * Seven requests in ten are well-formed (every value valid for its schema, the body complete),
 * so they reach the handlers; three in ten are chaotic (malformed values, unknown parameters
 * and fields, missing required fields, non-JSON bodies, wrong content types).
 */
export function requestArb(op: Operation): fc.Arbitrary<GeneratedRequest> {
  return fc.oneof({ weight: 7, arbitrary: requestOf(op, false) }, { weight: 3, arbitrary: requestOf(op, true) });
}

export function requestOf(op: Operation, chaos: boolean): fc.Arbitrary<GeneratedRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const path = fc.tuple(...pathParams.map((p) => textValue(p.schema, chaos).map((v) => [p.name, v] as const))).map((values) => {
    let out = op.path;
    for (const [name, v] of values) out = out.replace(`{${name}}`, encodeURIComponent(v));
    return out;
  });
  const query = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((p) =>
          p.required
            ? textValue(p.schema, chaos).map((v) => [p.name, v] as [string, string])
            : fc.option(
                textValue(p.schema, chaos).map((v) => [p.name, v] as [string, string]),
                { freq: 2 },
              ),
        ),
      ),
      chaos ? sometimes(fc.tuple(fc.constantFrom('zz', 'genre_id', 'limit'), fc.string({ maxLength: 5 })), 4) : fc.constant(null),
    )
    .map(([values, unknown]) => {
      const q = values.filter((v): v is [string, string] => v !== null);
      if (unknown) q.push(unknown);
      return q;
    });
  const validBody = op.body ? objectArb(op.body, 0, false).map((o) => ({ contentType: 'application/json', text: JSON.stringify(o) })) : fc.constant(undefined);
  const body: fc.Arbitrary<GeneratedRequest['body']> = !chaos
    ? validBody
    : op.body
      ? fc.oneof(
          { weight: 6, arbitrary: objectArb(op.body, 0, true).map((o) => ({ contentType: 'application/json', text: JSON.stringify(o) })) },
          { weight: 1, arbitrary: invalidJson.map((v) => ({ contentType: 'application/json', text: JSON.stringify(v) ?? 'null' })) },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom('{', '{"trackId":1e400}', '[1,2', 'not json', '{"a":1}{"b":2}')
              .map((text) => ({ contentType: 'application/json', text })),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded').map((contentType) => ({ contentType, text: 'trackId=1' })),
          },
        )
      : op.method === 'GET'
        ? fc.constant(undefined)
        : sometimes(fc.constant({ contentType: 'application/json', text: '{"unexpected":true}' }), 3).map((b) => b ?? undefined);
  return fc.record({ path, query, body });
}
