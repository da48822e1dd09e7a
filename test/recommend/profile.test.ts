import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventTime, HALF_LIFE_DAYS, profileOf } from '../../src/recommend/profile.ts';

describe('a listener’s profile', () => {
  test('every event counts, halved every half-life before the newest one', () => {
    const p = profileOf([
      { trackId: 1, at: '2025-12-31 00:00:00', kind: 'bought' },
      { trackId: 2, at: new Date(Date.parse('2025-12-31T00:00:00Z') - HALF_LIFE_DAYS * 86_400_000).toISOString(), kind: 'bought' },
      { trackId: 3, at: '2025-12-31T00:00:00Z', kind: 'played' },
      { trackId: 3, at: '2025-12-31T00:00:00.000Z', kind: 'played' },
    ]);
    assert.deepEqual(
      p.seeds.map((s) => [s.id, Math.round(s.weight * 1e9) / 1e9]),
      [
        [1, 1],
        [2, 0.5],
        [3, 2],
      ],
    );
    assert.equal(p.verbs.get(1), 'bought');
    assert.equal(p.verbs.get(3), 'played');
  });

  test('invoice dates and ISO play times are one clock', () => {
    assert.equal(eventTime('2025-12-31 10:00:00'), eventTime('2025-12-31T10:00:00Z'));
    assert.equal(eventTime('2025-12-31T10:00:00.123Z'), eventTime('2025-12-31 10:00:00'));
  });

  test('the order of the history does not matter', () => {
    const events = [1, 2, 3, 4].map((i) => ({ trackId: i * 10, at: `2025-0${i}-01 00:00:00`, kind: 'bought' as const }));
    assert.deepEqual(profileOf(events), profileOf([...events].reverse()));
  });
});
