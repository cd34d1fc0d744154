// Maps a failed system call to a temporary Failure with the right RFC 3463 code.
// Every storage error is temporary: an operator can fix a full disk, a quota or a permission,
// and the message must wait in the MTA queue meanwhile (DESIGN.md, "Exit status").
import { errnoOf, messageOf } from './errno';
import { temporary, type Failure } from './outcome';

type TempCode = `4.${number}.${number}`;

/** errno → (RFC 3463 code, words). Anything not listed is 4.3.0 "other mail system status". */
const ERRNO_TABLE: Readonly<Record<string, readonly [TempCode, string]>> = {
  ENOSPC: ['4.3.1', 'no space left on device'], // X.3.1 mail system full
  EDQUOT: ['4.2.2', 'disk quota exceeded'], // X.2.2 mailbox full
  EFBIG: ['4.3.4', 'file too large for this system'], // X.3.4 message too big for system
  ENOENT: ['4.2.1', 'no such file or directory'], // qmail: "Unable to chdir to maildir (#4.2.1)"
  ENOTDIR: ['4.2.1', 'not a directory'],
  EACCES: ['4.2.0', 'permission denied'], // X.2.0 other mailbox status
  EPERM: ['4.2.0', 'operation not permitted'],
  EROFS: ['4.3.0', 'read-only file system'],
  ELOOP: ['4.2.0', 'refusing to follow a symbolic link'], // O_NOFOLLOW on the last component
  EXDEV: ['4.3.5', 'tmp/ and new/ are on different file systems'], // X.3.5 misconfigured
  EIO: ['4.3.0', 'input/output error'],
  EMFILE: ['4.3.0', 'too many open files'],
  ENFILE: ['4.3.0', 'too many open files in system'],
  ESTALE: ['4.2.0', 'stale NFS file handle'],
};

/** "target bb-linux: create tmp file /x/tmp/123...: no space left on device" as a Failure. */
export function ioFailure(what: string, error: unknown): Failure {
  const errno = errnoOf(error);
  const known = errno !== undefined && Object.hasOwn(ERRNO_TABLE, errno) ? ERRNO_TABLE[errno] : undefined;
  if (known !== undefined) return temporary(known[0], `${what}: ${known[1]} (${errno})`);
  return temporary('4.3.0', `${what}: ${errno ?? messageOf(error)}`);
}
