// settleAll: like Promise.all, but fails only after every step has finished.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settleAll } from '../../../src/runtime/settle-all';

const later = <T>(ms: number, value: T, log: string[]): Promise<T> =>
  new Promise((resolve) =>
    setTimeout(() => {
      log.push(`done ${String(value)}`);
      resolve(value);
    }, ms),
  );
const failLater = (ms: number, reason: string, log: string[]): Promise<never> =>
  new Promise((_, reject) =>
    setTimeout(() => {
      log.push(`failed ${reason}`);
      reject(new Error(reason));
    }, ms),
  );

describe('settleAll', () => {
  it('resolves to every value, in order', async () => {
    const log: string[] = [];
    assert.deepEqual(await settleAll([later(10, 'a', log), later(1, 'b', log)]), ['a', 'b']);
  });

  it('resolves an empty list to []', async () => {
    assert.deepEqual(await settleAll([]), []);
  });

  it('waits for every step before it throws', async () => {
    const log: string[] = [];
    await assert.rejects(settleAll([failLater(1, 'x', log), later(20, 'slow', log)]), /x/);
    assert.deepEqual(log, ['failed x', 'done slow']);
  });

  it('throws the first rejection in list order, not in time order', async () => {
    const log: string[] = [];
    await assert.rejects(
      settleAll([failLater(20, 'first', log), failLater(1, 'second', log)]),
      /^Error: first$/,
    );
  });

  it('throws the rejection value as is', async () => {
    const reason = { code: 'ENOSPC' };
    await assert.rejects(
      settleAll([Promise.resolve(1), Promise.reject(reason as unknown as Error)]),
      (e: unknown) => e === reason,
    );
  });
});
