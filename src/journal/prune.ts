// Expiry of old records, so that the journal stays bounded: completion records older than the
// dedupe window, corrupt records as old, and leftover temporary files of records. At most once an hour
// per host (a stamp file's mtime says when), with no lock: unlinking an expired file twice is
// harmless, so concurrent deliveries never wait for a pruner.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { errnoOf } from '../outcome/errno';
import { digestOfRecordName, type JournalLayout } from './layout';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export async function pruneJournal(
  layout: JournalLayout,
  keepDays: number,
  now: () => number,
): Promise<void> {
  const stamp = join(layout.root, 'pruned');
  const time = now();
  try {
    const last = (await fsp.stat(stamp)).mtimeMs;
    if (time - last < PRUNE_EVERY_MS) return;
  } catch (error: unknown) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
  // The stamp's mtime is set from the same clock the expiry uses, not left to the file system
  // (an NFS server's clock may differ from ours).
  await fsp.writeFile(stamp, '');
  await fsp.utimes(stamp, time / 1000, time / 1000);
  const cutoff = time - keepDays * DAY_MS;
  await removeOlder(layout.done, cutoff, () => true);
  await removeOlder(layout.corrupt, cutoff, () => true);
  // Temporary files of records (<digest>.json.<digits>, write-record.ts) of runs killed while writing.
  await removeOlder(layout.pending, time - DAY_MS, (name) => digestOfRecordName(name) === undefined);
}

async function removeOlder(dir: string, cutoff: number, eligible: (name: string) => boolean): Promise<void> {
  for (const name of await fsp.readdir(dir)) {
    if (!eligible(name)) continue;
    const path = join(dir, name);
    try {
      if ((await fsp.stat(path)).mtimeMs < cutoff) await fsp.unlink(path);
    } catch (error: unknown) {
      if (errnoOf(error) !== 'ENOENT') throw error;
    }
  }
}
