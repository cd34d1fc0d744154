// Rolls an interrupted delivery forward: publishes every copy of a record whose tmp file is
// still there, syncs those new/ folders, then marks the record done. Idempotent: publishing is a
// rename (maildir/publish.ts), so a tmp file that is gone was published, by the dead run or by a
// concurrent recovery, and is never published twice.
import { dirname, basename } from 'node:path';
import type { FileSystem } from '../maildir/file-system';
import type { NameSource } from '../maildir/name-source';
import { publish } from '../maildir/publish';
import { settleAll } from '../runtime/settle-all';
import type { JournalRecord } from './record';

export async function rollForward(fs: FileSystem, names: NameSource, record: JournalRecord): Promise<void> {
  for (const copy of record.copies) {
    await publish(fs, names, copy.tmp, dirname(copy.new), basename(copy.new));
  }
  // Every new/, not only those published into now: the dead run may have renamed a file and
  // died before its fsync of new/, and a completed record must mean a durable delivery.
  const folders = new Set(record.copies.map((copy) => dirname(copy.new)));
  await settleAll([...folders].map((dir) => fs.syncDirectory(dir)));
}
