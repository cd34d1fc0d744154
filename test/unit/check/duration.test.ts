// Durations of the self-check's thresholds ("36h", "90m", seconds) and how the report writes them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../../src/check/duration';

describe('parseDuration', () => {
  // prettier-ignore
  const table: [string | number, number | undefined][] = [
    ['45s', 45],
    ['1s', 1],
    ['90m', 5400],
    ['36h', 129600],
    ['2d', 172800],
    ['9999999d', 9999999 * 86400],
    [1, 1],
    [3600, 3600],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['36', undefined], // a string needs its unit; plain seconds are a JSON number
    ['0h', undefined],
    ['01h', undefined],
    ['10000000s', undefined], // 8 digits: more than the schema's pattern allows
    ['36H', undefined],
    ['1w', undefined],
    ['1.5h', undefined],
    ['-1h', undefined],
    [' 1h', undefined],
    ['1h ', undefined],
    ['1h30m', undefined],
    ['h', undefined],
    ['', undefined],
    ['36x', undefined],
    [0, undefined],
    [-1, undefined],
    [1.5, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value)} → ${String(expected)}`, () => assert.equal(parseDuration(value), expected));
  }
});

describe('formatDuration', () => {
  // prettier-ignore
  const table: [number, string][] = [
    [0, '0s'],
    [-5, '0s'], // a file dated in the future (clock skew) is no age at all
    [45, '45s'],
    [59.4, '59s'],
    [59.6, '1m'],
    [60, '1m'],
    [90, '1m 30s'],
    [3599, '59m 59s'],
    [3600, '1h'],
    [3659, '1h'], // minutes only once there is one
    [3660, '1h 1m'],
    [86400, '24h'], // hours up to two days
    [129600, '36h'],
    [144000, '40h'],
    [172799, '47h 59m'],
    [172800, '2d'],
    [176399, '2d'],
    [176400, '2d 1h'],
    [30 * 86400 + 5 * 3600, '30d 5h'],
  ];
  for (const [seconds, expected] of table) {
    it(`${seconds} s → ${JSON.stringify(expected)}`, () => assert.equal(formatDuration(seconds), expected));
  }

  it('every duration the parser accepts with a unit of h or d reads back as the same length', () => {
    for (const text of ['36h', '2d', '1h', '47h']) {
      assert.equal(formatDuration(parseDuration(text)!), text);
    }
  });
});
