// Step 6 of the maildir delivery: move tmp/<name> into new/. "At that instant the message has
// been successfully delivered." (maildir(5)).
//
// rename(2), not the spec's link()+unlink(): with rename the move is one atomic step, so "the
// tmp file is still there" means exactly "not published yet". The delivery journal relies on
// that to finish an interrupted delivery without ever publishing a copy twice (src/journal/).
// link() would leave a window (linked, not yet unlinked) in which both names exist and a
// consumer may already have moved the new one to cur/. Dovecot and mblaze use rename() too:
// our names carry 64 random bits, so no other file has this name; we still look first and never
// replace an existing file (rename() would clobber where link() refuses).
import { join } from 'node:path';
import { errnoOf } from '../outcome/errno';
import type { FileSystem } from './file-system';
import type { NameSource } from './name-source';

const MAX_NAME_ATTEMPTS = 5;

export type Published =
  | { readonly kind: 'published'; readonly name: string }
  /** The tmp file was gone and new/<name> (the name asked for) holds it: published before us. */
  | { readonly kind: 'gone' }
  /**
   * The tmp file was gone and new/<name> is empty: lost before it was published (an operator, a
   * 36-hour clean-up, an unmounted file system), or published and already taken by a consumer.
   * Only the caller can tell which (delivery/commit.ts, journal/recover.ts).
   */
  | { readonly kind: 'vanished' };

/** Publishes tmpPath as newDir/<name>, or a fresh name if that one is taken. */
export async function publish(
  fs: FileSystem,
  names: NameSource,
  tmpPath: string,
  newDir: string,
  name: string,
): Promise<Published> {
  // A run that published first used the name we were given, not one we may switch to below.
  const recorded = join(newDir, name);
  for (let attempt = 1; ; attempt++) {
    const target = join(newDir, name);
    if (!(await exists(fs, target))) {
      try {
        await fs.rename(tmpPath, target);
        return { kind: 'published', name };
      } catch (error: unknown) {
        // ENOENT on the source: another run finished this delivery first (rename is atomic).
        if (errnoOf(error) === 'ENOENT' && !(await exists(fs, tmpPath))) {
          return { kind: (await exists(fs, recorded)) ? 'gone' : 'vanished' };
        }
        throw error;
      }
    }
    if (attempt >= MAX_NAME_ATTEMPTS) {
      throw Object.assign(new Error(`${target}: name collisions`), { code: 'EEXIST' });
    }
    name = names.next();
  }
}

async function exists(fs: FileSystem, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (error: unknown) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw error;
  }
}
