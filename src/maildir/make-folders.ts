// mkdir -p that reports why a folder could not be made, for maildirs made with "create" and the
// journal's folders. Node's
// recursive mkdir reports ENOENT when a parent cannot be created on a read-only or full file
// system (nodejs/node#47098, #42808), which would send the operator looking for a missing
// folder instead of a full or read-only disk.
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errnoOf } from '../outcome/errno';

export async function makeFolders(dir: string, mode: number): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true, mode });
  } catch (error: unknown) {
    if (errnoOf(error) !== 'ENOENT') throw error;
    // One level at a time from the top, so that the level that fails says why.
    const levels: string[] = [];
    for (let path = resolve(dir); path !== dirname(path); path = dirname(path)) levels.unshift(path);
    for (const path of levels) {
      try {
        await fsp.mkdir(path, { mode });
      } catch (levelError: unknown) {
        if (errnoOf(levelError) !== 'EEXIST') throw levelError;
      }
    }
    // Every level exists now (another run made them meanwhile): done.
  }
}
