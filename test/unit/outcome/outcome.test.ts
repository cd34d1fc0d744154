// Outcome values and the FailureError that carries one through code that can only throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureError, ok, permanent, temporary } from '../../../src/outcome/outcome';

describe('outcome', () => {
  it('ok, temporary and permanent build the three kinds', () => {
    assert.deepEqual(ok, { kind: 'ok' });
    assert.deepEqual(temporary('4.3.1', 'full'), { kind: 'temporary', status: '4.3.1', text: 'full' });
    assert.deepEqual(permanent('5.2.3', 'big'), { kind: 'permanent', status: '5.2.3', text: 'big' });
  });

  it('FailureError carries the failure, with its text as message', () => {
    const failure = permanent('5.2.3', 'too big');
    const error = new FailureError(failure);
    assert.ok(error instanceof Error);
    assert.equal(error.failure, failure);
    assert.equal(error.message, 'too big');
  });
});
