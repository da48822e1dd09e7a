import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheOptionsFrom, payloadBudget } from '../../src/cache/index.ts';
import { loadConfig } from '../../src/config.ts';

describe('cache memory budget', () => {
  it('charges payload against CHINOOK_CACHE_MAX_BYTES divided by the measured memory factor', () => {
    const config = loadConfig({ cacheMaxBytes: 64 * 2 ** 20 }, {});
    assert.equal(config.cacheMemoryFactor, 4);
    assert.equal(payloadBudget(config), 16 * 2 ** 20);
    assert.equal(cacheOptionsFrom(config).maxBytes, 16 * 2 ** 20);
    assert.equal(payloadBudget({ cacheMaxBytes: 1000, cacheMemoryFactor: 3 }), 333);
    assert.equal(cacheOptionsFrom(config).heldMaxChars, 4096, 'small bodies held by the process by default');
    assert.equal(cacheOptionsFrom(loadConfig({ cacheHeldMaxChars: 0 }, {})).heldMaxChars, 0);
  });
});
