// The overall status of a set of findings, and the plugin exit code of each status.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STATUS_EXIT, worst, type Status } from '../../../src/check/finding';

describe('worst', () => {
  // prettier-ignore
  const table: [Status[], Status][] = [
    [[], 'OK'],
    [['OK'], 'OK'],
    [['OK', 'OK', 'OK'], 'OK'],
    [['OK', 'UNKNOWN'], 'UNKNOWN'],
    [['UNKNOWN', 'WARNING'], 'WARNING'], // a real problem outranks a check that could not run
    [['WARNING', 'UNKNOWN'], 'WARNING'],
    [['OK', 'WARNING', 'OK'], 'WARNING'],
    [['WARNING', 'CRITICAL', 'OK'], 'CRITICAL'],
    [['CRITICAL', 'UNKNOWN'], 'CRITICAL'],
    [['CRITICAL', 'WARNING', 'UNKNOWN', 'OK'], 'CRITICAL'],
  ];
  for (const [statuses, expected] of table) {
    it(`[${statuses.join(', ')}] → ${expected}`, () =>
      assert.equal(worst(statuses.map((status) => ({ status }))), expected));
  }
});

describe('STATUS_EXIT', () => {
  it('is the monitoring-plugins table: OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3', () => {
    assert.deepEqual(STATUS_EXIT, { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 });
  });
});
