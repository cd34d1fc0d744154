// Writes a journal record so that it is never seen half-written, and is on disk before the
// caller goes on: a temporary file beside it (created exclusively), written, fsynced, closed,
// then renamed over the record's name (rename(2) is atomic within a folder). The folder itself
// is fsynced by the caller. This is what write-file-atomic did for us, without its start-up cost
// (it and its dependencies were 17 KiB of the bundle, compiled on every delivery) and with our
// own FileSystem, so the fault-injection seams cover it.
import type { FileSystem } from '../maildir/file-system';

/**
 * Writes `text` to `path` atomically and durably. On failure the temporary file is removed
 * (best effort: a leftover is not a record, and pruneJournal removes it after a day).
 * `suffix` makes the temporary name unique: `<record>.<digits>`, only digits.
 */
export async function writeRecordFile(
  fs: FileSystem,
  path: string,
  text: string,
  suffix: string,
): Promise<void> {
  const temporary = `${path}.${suffix}`;
  const file = await fs.createExclusive(temporary, 0o600);
  const discard = async (error: unknown, open: boolean): Promise<never> => {
    if (open) await file.close().catch(() => undefined);
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  };
  try {
    await file.writeAll(Buffer.from(text, 'utf8'));
    await file.sync();
  } catch (error: unknown) {
    return discard(error, true);
  }
  try {
    await file.close(); // a close error can be a write error (NFS): the record is not safe
    await fs.rename(temporary, path);
  } catch (error: unknown) {
    return discard(error, false);
  }
}
