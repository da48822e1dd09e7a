// One input policy for every route, applied where schemas are compiled rather than route by
// route:
// - JSON bodies are typed already: no coercion at all, so `{"trackId": true}` is not track 1
//   and `{"name": 5}` is not the artist "5"; non-finite numbers (`1e400` parses to Infinity)
//   fail Ajv's strictNumbers check.
// - Path and query values arrive as text and are coerced, but a number must be written in
//   plain decimal: `0x10`, `1e3`, `+1`, `Infinity` and 400-digit strings are refused before
//   Ajv's coercion can turn them into 16, 1000, 1 or Infinity.
// - Every route refuses unknown query parameters and unknown body fields: a route without a
//   querystring schema gets an empty one, and a body schema that would let unknown fields
//   through stops the server at start (a programming mistake, not a request's).
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifySchema, FastifySchemaValidationError, RouteOptions } from 'fastify';
import { NoQuery } from './schemas.ts';

type Validator = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; additionalProperties?: unknown; anyOf?: Schema[]; required?: string[] };

const baseOptions = { removeAdditional: false, useDefaults: true, allErrors: false, strictNumbers: true } as const;

// Up to 16 digits: every integer a schema here accepts (ids stop at 2^53) fits; more is refused
// rather than rounded. Numbers: digits with an optional fraction, no exponent.
const INTEGER_TEXT = /^-?\d{1,16}$/;
const NUMBER_TEXT = /^-?\d{1,16}(\.\d{1,16})?$/;

function numericKind(schema: Schema | undefined): 'integer' | 'number' | null {
  if (!schema) return null;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  for (const alt of schema.anyOf ?? []) {
    const kind = numericKind(alt);
    if (kind) return kind;
  }
  return null;
}

/** Wraps a coercing validator with the plain-decimal check for the schema's numeric properties. */
function decimalOnly(schema: Schema, validate: Validator, part: string): Validator {
  const numeric = Object.entries(schema.properties ?? {})
    .map(([name, prop]) => [name, numericKind(prop)] as const)
    .filter((e): e is readonly [string, 'integer' | 'number'] => e[1] !== null);
  if (numeric.length === 0) return validate;
  const wrapped: Validator = (data) => {
    if (data && typeof data === 'object') {
      for (const [name, kind] of numeric) {
        const raw = (data as Record<string, unknown>)[name];
        if (typeof raw !== 'string') continue;
        if (!(kind === 'integer' ? INTEGER_TEXT : NUMBER_TEXT).test(raw)) {
          wrapped.errors = [
            {
              instancePath: `/${name}`,
              keyword: 'format',
              schemaPath: `#/properties/${name}`,
              params: { format: kind === 'integer' ? 'decimal integer' : 'decimal number' },
              message: `must be a plain decimal ${kind === 'integer' ? 'integer' : 'number'} (${part} value "${raw.slice(0, 40)}")`,
            },
          ];
          return false;
        }
      }
    }
    const ok = validate(data);
    wrapped.errors = (validate.errors as FastifySchemaValidationError[] | null | undefined) ?? null;
    return ok;
  };
  return wrapped;
}

export function registerInputPolicy(app: FastifyInstance): void {
  const build = AjvCompiler();
  const strict = build({}, { customOptions: { ...baseOptions, coerceTypes: false } });
  const coercing = build({}, { customOptions: { ...baseOptions, coerceTypes: 'array' } });

  app.setValidatorCompiler(({ schema, method, url, httpPart }) => {
    const route = { schema, method, url, httpPart };
    if (httpPart === 'body') return strict(route);
    const validate = coercing(route) as Validator;
    return decimalOnly(schema as Schema, validate, httpPart ?? 'request');
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url.startsWith('/docs')) return; // swagger-ui's own static routes
    route.schema ??= {};
    const schema: FastifySchema = route.schema;
    schema.querystring ??= NoQuery;
    for (const [part, s] of [
      ['querystring', schema.querystring],
      ['body', schema.body],
    ] as const) {
      const object = s as Schema | undefined;
      // A property with a default is optional to the client (Ajv fills it in); TypeBox lists it
      // as required, and the OpenAPI document said so for 20 parameters.
      if (object?.properties && Array.isArray(object.required)) {
        object.required = object.required.filter((name) => !(object.properties?.[name] && 'default' in (object.properties[name] as object)));
      }
      if (object?.type === 'object' && object.additionalProperties !== false) {
        throw new Error(`${route.method} ${route.url}: its ${part} schema must set additionalProperties: false (unknown fields are refused everywhere)`);
      }
    }
  });
}
