// Steps 2–4 of the maildir delivery (maildir(5), https://cr.yp.to/proto/maildir.html): pick a
// unique name and create tmp/<name> exclusively. The spec's stat-then-sleep-2s loop exists for
// old-style names (time.pid.host) that could repeat; ours carry 64 random bits, so on EEXIST we
// take a fresh name at once (as Dovecot does) and rely on O_EXCL rather than on stat().
import { join } from 'node:path';
import { errnoOf } from '../outcome/errno';
import type { FileSystem, WritableFile } from './file-system';
import type { NameSource } from './name-source';
import type { TmpRegistry } from './tmp-registry';

/** A handful of collisions in a row means something other than chance: stop and report it. */
const MAX_NAME_ATTEMPTS = 5;

export interface TmpFile {
  readonly name: string;
  readonly path: string;
  readonly file: WritableFile;
}

/** Creates tmpDir/<fresh unique name> with O_EXCL|O_NOFOLLOW and sets exactly `mode`. */
export async function createTmpFile(
  fs: FileSystem,
  names: NameSource,
  registry: TmpRegistry,
  tmpDir: string,
  mode: number,
): Promise<TmpFile> {
  for (let attempt = 1; ; attempt++) {
    const name = names.next();
    const path = join(tmpDir, name);
    // Registered before open(): a signal arriving while open() is in flight still removes it.
    // The name carries our pid and 64 random bits, so it cannot be anyone else's file.
    registry.add(path);
    let file: WritableFile;
    try {
      file = await fs.createExclusive(path, mode);
    } catch (error: unknown) {
      registry.forget(path);
      if (errnoOf(error) === 'EEXIST' && attempt < MAX_NAME_ATTEMPTS) continue;
      throw error;
    }
    // Exact mode whatever the umask (qmail runs us under umask 077; a 0640 target wants 0640).
    await file.chmod(mode);
    return { name, path, file };
  }
}
