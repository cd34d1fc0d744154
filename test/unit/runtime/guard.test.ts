// The interrupt guard: signals and the deadline stop a delivery at once, except during commit,
// where they wait for the commit or for a grace period.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMIT_GRACE_MS, interruptGuard } from '../../../src/runtime/guard';
import { temporary, type Failure } from '../../../src/outcome/outcome';

/** Hooks that record what the guard does; timers fire only when the test says so. */
function recorder() {
  const log: string[] = [];
  const exits: Failure[] = [];
  const timers: { ms: number; fire: () => void; cancelled: boolean }[] = [];
  const guard = interruptGuard({
    removeTmpFiles: () => void log.push('removeTmpFiles'),
    exit: (failure) => {
      log.push('exit');
      exits.push(failure);
    },
    setTimer: (ms, callback) => {
      const timer = { ms, fire: callback, cancelled: false };
      timers.push(timer);
      log.push(`setTimer ${ms}`);
      return { cancel: () => void (timer.cancelled = true) };
    },
  });
  return { guard, log, exits, timers };
}

const SIGTERM = temporary('4.3.0', 'interrupted by SIGTERM');

describe('interruptGuard', () => {
  it('outside commit: removes the tmp files, then exits at once with the failure', () => {
    const { guard, log, exits } = recorder();
    guard.interrupt(SIGTERM);
    assert.deepEqual(log, ['removeTmpFiles', 'exit']);
    assert.deepEqual(exits, [SIGTERM]);
  });

  it('after leave(): exits at once again', () => {
    const { guard, log } = recorder();
    guard.committing.enter();
    guard.committing.leave();
    guard.interrupt(SIGTERM);
    assert.deepEqual(log, ['removeTmpFiles', 'exit']);
  });

  it('during commit: no exit, no cleanup, a grace timer of 30 s starts', () => {
    const { guard, log, timers } = recorder();
    guard.committing.enter();
    guard.interrupt(SIGTERM);
    assert.deepEqual(log, [`setTimer ${COMMIT_GRACE_MS}`]);
    assert.equal(COMMIT_GRACE_MS, 30_000);
    assert.equal(timers.length, 1);
  });

  it('during commit: a second interrupt does not start another timer', () => {
    const { guard, timers } = recorder();
    guard.committing.enter();
    guard.interrupt(SIGTERM);
    guard.interrupt(temporary('4.4.7', 'delivery timed out after 900 s'));
    assert.equal(timers.length, 1);
  });

  it('leave() cancels the grace timer', () => {
    const { guard, timers, log } = recorder();
    guard.committing.enter();
    guard.interrupt(SIGTERM);
    guard.committing.leave();
    assert.equal(timers[0]?.cancelled, true);
    assert.deepEqual(log, [`setTimer ${COMMIT_GRACE_MS}`]);
  });

  it('a new commit after leave() gets a fresh timer', () => {
    const { guard, timers } = recorder();
    guard.committing.enter();
    guard.interrupt(SIGTERM);
    guard.committing.leave();
    guard.committing.enter();
    guard.interrupt(SIGTERM);
    assert.equal(timers.length, 2);
  });

  it('the grace timer firing cleans up and exits, saying it happened while publishing', () => {
    const { guard, log, exits, timers } = recorder();
    guard.committing.enter();
    guard.interrupt(SIGTERM);
    timers[0]?.fire();
    assert.deepEqual(log, [`setTimer ${COMMIT_GRACE_MS}`, 'removeTmpFiles', 'exit']);
    assert.equal(exits.length, 1);
    const [failure] = exits;
    assert.ok(failure !== undefined);
    assert.equal(failure.kind, 'temporary');
    assert.equal(failure.status, '4.3.0');
    assert.match(failure.text, /^interrupted by SIGTERM, while publishing: /);
    assert.match(failure.text, /some targets may already hold the message/);
  });

  it('takes another grace period when given one', () => {
    const log: number[] = [];
    const guard = interruptGuard(
      {
        removeTmpFiles: () => undefined,
        exit: () => undefined,
        setTimer: (ms) => {
          log.push(ms);
          return { cancel: () => undefined };
        },
      },
      5,
    );
    guard.committing.enter();
    guard.interrupt(SIGTERM);
    assert.deepEqual(log, [5]);
  });
});
