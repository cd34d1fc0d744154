// Reads and checks the config file: the only I/O of the config stage.
import { constants, promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { messageOf, errnoOf } from '../outcome/errno';
import { temporary, type Failure } from '../outcome/outcome';
import { parseConfig } from './parse';
import { configSafetyProblem } from './safety';
import type { Config } from './types';

/** A config is a few hundred bytes; refuse something that is clearly not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export type Loaded =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly failure: Failure };

export async function loadConfig(
  path: string,
  context: { readonly cwd: string; readonly home: string | undefined; readonly uid: number },
): Promise<Loaded> {
  const absolute = resolve(context.cwd, path);
  // X.3.5 "system incorrectly configured": temporary, the operator fixes it and mail waits.
  const fail = (problem: string): Loaded => ({
    ok: false,
    failure: temporary('4.3.5', `config ${absolute}: ${problem}`),
  });
  let text: string;
  try {
    // O_NONBLOCK: opening a named pipe (a FIFO left where the config should be) would otherwise
    // wait for a writer, forever, in a thread that not even the exit can end (Node joins its
    // thread pool at exit). For a regular file it changes nothing; the fstat below refuses the pipe.
    const handle = await fsp.open(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      // fstat of the opened file, not stat of the name: no race with a swap after the check.
      const [file, folder] = await Promise.all([handle.stat(), fsp.stat(dirname(absolute))]);
      if (!file.isFile()) return fail('is not a regular file');
      const unsafe = configSafetyProblem(file, folder, dirname(absolute), context.uid);
      if (unsafe !== undefined) return fail(unsafe);
      if (file.size > MAX_CONFIG_BYTES)
        return fail(`is ${file.size} bytes; a config is at most ${MAX_CONFIG_BYTES}`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error: unknown) {
    const errno = errnoOf(error);
    return fail(
      errno === 'ENOENT' ? 'does not exist' : errno === 'EACCES' ? 'permission denied' : messageOf(error),
    );
  }
  const parsed = parseConfig(text, absolute, context.home);
  return parsed.ok ? parsed : fail(parsed.problem);
}
