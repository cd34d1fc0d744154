// One file-system step: its error becomes a Failure naming the target and the step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { step } from '../../../src/delivery/step';
import { FailureError, permanent } from '../../../src/outcome/outcome';

describe('step', () => {
  it('returns the value of the action', async () => {
    assert.equal(await step('x', () => Promise.resolve(42)), 42);
  });

  it('turns a system error into a FailureError that says what failed', async () => {
    const error = await step('target a: writing /a/tmp/n1', () =>
      Promise.reject(Object.assign(new Error('nope'), { code: 'ENOSPC' })),
    ).catch((e: unknown) => e);
    assert.ok(error instanceof FailureError);
    assert.deepEqual(error.failure, {
      kind: 'temporary',
      status: '4.3.1',
      text: 'target a: writing /a/tmp/n1: no space left on device (ENOSPC)',
    });
  });

  it('passes a FailureError through unchanged (an inner step already named it)', async () => {
    const inner = new FailureError(permanent('5.2.3', 'too big'));
    await assert.rejects(
      step('outer', () => Promise.reject(inner)),
      (e: unknown) => e === inner,
    );
  });

  it('catches an action that throws synchronously inside an async function', async () => {
    await assert.rejects(
      step('x', () => {
        throw new Error('sync');
      }),
      (e: unknown) => e instanceof FailureError && e.failure.text === 'x: sync',
    );
  });
});
