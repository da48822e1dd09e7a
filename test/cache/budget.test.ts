import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheOptionsFrom, hotBudget, payloadBudget } from '../../src/cache/index.ts';
import { loadConfig } from '../../src/config.ts';

describe('cache memory budget', () => {
  it('charges payload against CHINOOK_CACHE_MAX_BYTES, less the hot copies, divided by the measured memory factor', () => {
    const config = loadConfig({ cacheMaxBytes: 64 * 2 ** 20 }, {});
    assert.equal(config.cacheMemoryFactor, 4);
    assert.equal(config.cacheHotBytes, 0, 'no hot copies unless asked for');
    assert.equal(payloadBudget(config), 16 * 2 ** 20);
    assert.equal(cacheOptionsFrom(config).maxBytes, 16 * 2 ** 20);
    const hot = loadConfig({ cacheMaxBytes: 64 * 2 ** 20, cacheHotBytes: 8 * 2 ** 20 }, {});
    assert.equal(payloadBudget(hot), 14 * 2 ** 20);
    assert.equal(cacheOptionsFrom(hot).hotBytes, 8 * 2 ** 20);
    assert.equal(payloadBudget({ cacheMaxBytes: 1000, cacheHotBytes: 0, cacheMemoryFactor: 3 }), 333);
  });

  it('gives the hot copies at most half of the budget', () => {
    assert.equal(hotBudget({ cacheMaxBytes: 1000, cacheHotBytes: 8 * 2 ** 20 }), 500);
    assert.equal(payloadBudget({ cacheMaxBytes: 1000, cacheHotBytes: 8 * 2 ** 20, cacheMemoryFactor: 4 }), 125);
  });
});
