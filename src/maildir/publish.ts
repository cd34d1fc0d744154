// Step 6 of the maildir delivery: move tmp/<name> into new/. "At that instant the message has
// been successfully delivered." (maildir(5)).
//
// link()+unlink() as the spec says, because link() refuses to replace an existing file where
// rename() would silently clobber it. Two known traps, handled as the C agents do:
// - NFS may report EEXIST for a link() that worked (its reply was lost and the retransmission
//   found the file): Postfix's sane_link() stats both names and accepts the same inode.
// - Some file systems cannot hard-link (AFS: EXDEV; FAT, some FUSE: EPERM/ENOTSUP): Courier and
//   fdm then rename(), after checking that the destination does not exist.
import { join } from 'node:path';
import { errnoOf } from '../outcome/errno';
import type { FileSystem } from './file-system';
import type { NameSource } from './name-source';

/** errnos meaning "this file system does not do hard links here": fall back to rename(). */
const NO_HARD_LINKS = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);
const MAX_NAME_ATTEMPTS = 5;

/** Publishes tmpPath as newDir/<name>; returns the name used (a fresh one after a collision). */
export async function publish(
  fs: FileSystem,
  names: NameSource,
  tmpPath: string,
  newDir: string,
  name: string,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const target = join(newDir, name);
    const done = await linkOrRename(fs, tmpPath, target);
    if (done) return name;
    if (attempt >= MAX_NAME_ATTEMPTS) {
      throw Object.assign(new Error(`${target}: name collisions`), { code: 'EEXIST' });
    }
    name = names.next();
  }
}

/** true = published; false = the name is taken by another file (pick a new one). */
async function linkOrRename(fs: FileSystem, tmpPath: string, target: string): Promise<boolean> {
  try {
    await fs.link(tmpPath, target);
  } catch (error: unknown) {
    const errno = errnoOf(error);
    if (errno === 'EEXIST') {
      if (!(await sameFile(fs, tmpPath, target))) return false;
    } else if (errno !== undefined && NO_HARD_LINKS.has(errno)) {
      if (await exists(fs, target)) return false;
      await fs.rename(tmpPath, target);
      return true;
    } else {
      throw error;
    }
  }
  // Published. The tmp name is now a second link to the same file; if removing it fails the
  // message is still delivered once, and readers delete tmp files after 36 hours.
  await fs.unlink(tmpPath).catch(() => undefined);
  return true;
}

async function sameFile(fs: FileSystem, a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fs.lstat(a), fs.lstat(b)]);
  return sa.dev === sb.dev && sa.ino === sb.ino;
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
