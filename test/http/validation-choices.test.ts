// withChoicesCollapsed (src/http/errors.ts) on Ajv's own errors: a union of literals collapses
// to one error naming the choices; anything else passes through as it came.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { Type } from 'typebox';
import { withChoicesCollapsed } from '../../src/http/errors.ts';

const ajv = new Ajv({ allErrors: true });
const errorsOf = (schema: object, value: unknown) => {
  const validate = ajv.compile(schema);
  assert.equal(validate(value), false);
  return validate.errors ?? [];
};

describe('validation errors of a choice', () => {
  it('a value outside a union of literals: one error with the allowed values', () => {
    const errors = errorsOf(Type.Object({ sort: Type.Union([Type.Literal('name'), Type.Literal('price')]) }), { sort: 'x' });
    const collapsed = withChoicesCollapsed(errors as never);
    assert.equal(collapsed.length, 1);
    assert.equal(collapsed[0]?.instancePath, '/sort');
    assert.equal(collapsed[0]?.message, 'must be one of name, price');
    assert.deepEqual(collapsed[0]?.params, { allowedValues: ['name', 'price'] });
  });

  it('a single literal (no anyOf), a union of other types, or other errors: unchanged', () => {
    for (const [schema, value] of [
      [Type.Object({ kind: Type.Literal('a') }), { kind: 'b' }],
      [Type.Object({ v: Type.Union([Type.Literal('a'), Type.Number()]) }), { v: 'b' }],
      [Type.Object({ n: Type.Integer({ maximum: 5 }) }), { n: 9 }],
    ] as const) {
      const errors = errorsOf(schema, value);
      assert.equal(withChoicesCollapsed(errors as never), errors);
    }
  });
});
