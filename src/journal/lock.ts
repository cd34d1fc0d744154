// The per-message lock: one delivery (or recovery) of a message at a time, while deliveries of
// different messages never wait for each other. It is proper-lockfile's lock — a directory
// <digest>.lock made with mkdir(2), atomic on local file systems and on NFS — taken with a
// single mkdir on the common, uncontended path, so that proper-lockfile (and graceful-fs under
// it) is only loaded when there is a lock to wait for or a stale one to break.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { errnoOf } from '../outcome/errno';

/**
 * A lock whose directory is older than this belongs to a dead process: a live one holds it
 * only from the journal lookup to the completion record (milliseconds; at most the 30 s commit
 * grace of runtime/guard.ts if a file system hangs, and breaking it then is still safe, since
 * finishing a delivery twice publishes nothing twice: see recover.ts).
 */
export const STALE_MS = 10_000;

/** Waiting for a live holder: up to about a minute, then a temporary failure ("lock timeout"). */
const WAIT = { retries: 40, factor: 1.3, minTimeout: 50, maxTimeout: 2_000 };

export interface HeldLock {
  release(): Promise<void>;
}

/** Takes the lock of `digest`, waiting for a live holder; throws ELOCKED after the wait. */
export async function lockMessage(locks: string, digest: string): Promise<HeldLock> {
  return (await tryMkdirLock(locks, digest)) ?? properLock(locks, digest, WAIT);
}

/** Takes the lock only if it is free or stale, without waiting; undefined if it is held. */
export async function lockMessageNow(locks: string, digest: string): Promise<HeldLock | undefined> {
  const fast = await tryMkdirLock(locks, digest);
  if (fast !== undefined) return fast;
  try {
    return await properLock(locks, digest, 0);
  } catch (error: unknown) {
    if (errnoOf(error) === 'ELOCKED') return undefined;
    throw error;
  }
}

async function tryMkdirLock(locks: string, digest: string): Promise<HeldLock | undefined> {
  const dir = `${join(locks, digest)}.lock`;
  try {
    await fsp.mkdir(dir);
  } catch (error: unknown) {
    if (errnoOf(error) === 'EEXIST') return undefined;
    throw error;
  }
  return { release: () => fsp.rmdir(dir) };
}

async function properLock(locks: string, digest: string, retries: number | typeof WAIT): Promise<HeldLock> {
  const lockfile = await import('proper-lockfile');
  const release = await lockfile.lock(join(locks, digest), {
    realpath: false, // the locked "file" is only a name
    stale: STALE_MS,
    retries,
    // Compromised = another process judged us stale and took over. Finishing a delivery is
    // idempotent, so carry on rather than crash (the default throws).
    onCompromised: () => undefined,
  });
  return { release };
}
