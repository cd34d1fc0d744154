// Sizes: bytes, or a number with K, M or G (powers of 1024), as in the config and --size-limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSize } from '../../../src/config/size';

describe('parseSize', () => {
  // prettier-ignore
  const table: [number | string, number | undefined][] = [
    ['1', 1],
    ['1024', 1024],
    ['1K', 1024],
    ['50M', 52428800],
    ['2G', 2147483648],
    ['512M', 536870912],
    ['9999999999999', 9999999999999],
    [1, 1],
    [52428800, 52428800],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['0', undefined],
    ['0K', undefined],
    ['01', undefined],
    ['', undefined],
    ['K', undefined],
    ['50m', undefined],
    ['50k', undefined],
    ['1T', undefined],
    ['1KB', undefined],
    ['1.5M', undefined],
    [' 1', undefined],
    ['1 ', undefined],
    ['-1', undefined],
    ['+1', undefined],
    ['1e3', undefined],
    ['0x10', undefined],
    ['10000000000000', undefined],
    [0, undefined],
    [-1, undefined],
    [1.5, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [2 ** 53, undefined],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value)} → ${String(expected)}`, () => assert.equal(parseSize(value), expected));
  }
});
