// The per-message lock: a mkdir(2) lock folder, taken without waiting when free, waited for while
// a live run holds it, and broken once it is older than STALE_MS (its holder died).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lockMessage, lockMessageNow, STALE_MS, type HeldLock } from '../../../src/journal/lock';

const DIGEST = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const OTHER = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('lockMessage and lockMessageNow', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-lock-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** A fresh locks/ folder. */
  const locksFolder = (): string => {
    const dir = join(root, `locks-${++n}`);
    mkdirSync(dir);
    return dir;
  };
  /** A lock folder left by a dead run, `ageMs` old. */
  const leftBehind = (locks: string, digest: string, ageMs: number): string => {
    const dir = join(locks, `${digest}.lock`);
    mkdirSync(dir);
    const then = new Date(Date.now() - ageMs);
    utimesSync(dir, then, then);
    return dir;
  };

  it('stale means older than 10 s', () => {
    assert.equal(STALE_MS, 10_000);
  });

  it('free: taken at once as the folder <digest>.lock; release removes it', async () => {
    const locks = locksFolder();
    const lock = await lockMessage(locks, DIGEST);
    assert.ok(statSync(join(locks, `${DIGEST}.lock`)).isDirectory());
    await lock.release();
    assert.ok(!existsSync(join(locks, `${DIGEST}.lock`)));
  });

  it('lockMessageNow while another holds it: undefined, and the holder keeps it', async () => {
    const locks = locksFolder();
    const held = await lockMessage(locks, DIGEST);
    assert.equal(await lockMessageNow(locks, DIGEST), undefined);
    assert.ok(existsSync(join(locks, `${DIGEST}.lock`)));
    await held.release();
    const now = await lockMessageNow(locks, DIGEST);
    assert.ok(now !== undefined, 'free again once released');
    await now.release();
  });

  it('another message is never held up by this one', async () => {
    const locks = locksFolder();
    const held = await lockMessage(locks, DIGEST);
    const start = performance.now();
    const other = await lockMessage(locks, OTHER);
    assert.ok(performance.now() - start < 1_000);
    await Promise.all([held.release(), other.release()]);
  });

  it('a second taker waits while the first holds it, and gets it once released', async () => {
    const locks = locksFolder();
    const first = await lockMessage(locks, DIGEST);
    const got: { second?: HeldLock } = {};
    const waiting = lockMessage(locks, DIGEST).then((lock) => (got.second = lock));
    await new Promise((wake) => setTimeout(wake, 500));
    assert.equal(got.second, undefined, 'still waiting after 500 ms');
    await first.release();
    const second = await waiting;
    assert.ok(existsSync(join(locks, `${DIGEST}.lock`)), 'the second holds the folder now');
    await second.release();
    assert.ok(!existsSync(join(locks, `${DIGEST}.lock`)));
  });

  it('a lock folder 5 s old (a live run) is not broken by lockMessageNow', async () => {
    const locks = locksFolder();
    const dir = leftBehind(locks, DIGEST, 5_000);
    assert.equal(await lockMessageNow(locks, DIGEST), undefined);
    assert.ok(existsSync(dir));
  });

  for (const [name, take] of [
    ['lockMessageNow', lockMessageNow],
    ['lockMessage', lockMessage],
  ] as const) {
    it(`${name}: a lock folder older than 10 s (a dead run's) is broken and taken, without waiting`, async () => {
      const locks = locksFolder();
      const dir = leftBehind(locks, DIGEST, STALE_MS + 10_000);
      const start = performance.now();
      const lock = await take(locks, DIGEST);
      assert.ok(lock !== undefined, 'taken');
      assert.ok(performance.now() - start < 2_000, 'without waiting for a timeout');
      assert.ok(statSync(dir).mtimeMs > Date.now() - STALE_MS, 'the folder is fresh: ours now');
      assert.equal(await lockMessageNow(locks, DIGEST), undefined, 'and held');
      await lock.release();
      assert.ok(!existsSync(dir));
    });
  }

  it('a locks/ folder that does not exist: the error is thrown (ENOENT), not taken for contention', async () => {
    await assert.rejects(lockMessage(join(root, 'missing'), DIGEST), { code: 'ENOENT' });
    await assert.rejects(lockMessageNow(join(root, 'missing'), DIGEST), { code: 'ENOENT' });
  });
});
