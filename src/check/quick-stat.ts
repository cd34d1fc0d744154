// lstat(2) for the self-check's file-by-file walks (new/, cur/, tmp/ and the journal's folders).
// Synchronous on purpose: one promise and thread-pool round trip per file cost about ten times
// the call itself, and a check of a maildir with thousands of files in cur/ paid it for each
// (docs/performance.md, "The self-check"). A check has no deadline to keep meanwhile, and on a
// hung file system an asynchronous call would wait just as long.
import { lstatSync, type Stats } from 'node:fs';

/** The entry's lstat, or undefined when it is gone (a consumer took it) or cannot be read. */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
