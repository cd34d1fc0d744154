// Rolls an interrupted delivery forward: publishes every copy of a record whose tmp file is
// still there and syncs those new/ folders; the caller then marks the record done. Idempotent:
// publishing is a rename (maildir/publish.ts), so a tmp file that is gone was published, by the
// dead run or by a concurrent recovery, and is never published twice. Except when the run that
// wrote the record said it had not published that copy (`unpublished`), and it is not in new/
// either: then it was lost from tmp/ (removed by a reader's 36-hour clean-up, by an operator, or
// with the file system it was on), and that maildir does not hold the message.
import { dirname, basename } from 'node:path';
import type { FileSystem } from '../maildir/file-system';
import type { NameSource } from '../maildir/name-source';
import { publish } from '../maildir/publish';
import { settleAll } from '../runtime/settle-all';
import type { JournalRecord } from './record';

/** Returns the maildirs whose copy was lost before it was published. */
export async function rollForward(
  fs: FileSystem,
  names: NameSource,
  record: JournalRecord,
): Promise<string[]> {
  const unpublished = new Set(record.unpublished ?? []);
  const lost: string[] = [];
  for (const copy of record.copies) {
    if (record.lost?.includes(copy.maildir) === true) {
      lost.push(copy.maildir);
      continue;
    }
    const result = await publish(fs, names, copy.tmp, dirname(copy.new), basename(copy.new));
    // 'vanished' and not marked: published by the dead run, and a consumer took it already.
    if (result.kind === 'vanished' && unpublished.has(copy.maildir)) {
      lost.push(copy.maildir);
    }
  }
  // Every new/, not only those published into now: the dead run may have renamed a file and
  // died before its fsync of new/, and a completed record must mean a durable delivery.
  const folders = new Set(record.copies.map((copy) => dirname(copy.new)));
  await settleAll([...folders].map((dir) => fs.syncDirectory(dir)));
  return lost;
}
