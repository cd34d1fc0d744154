// How a path in the config (a target, the journal folder) becomes an absolute path (DESIGN.md, "How users run it"):
// "~/" against $HOME, relative paths against the folder of the config file.
import { isAbsolute, resolve } from 'node:path';

export type Resolved =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly problem: string };

export function resolveConfigPath(raw: string, baseDir: string, home: string | undefined): Resolved {
  if (raw === '~' || raw.startsWith('~/')) {
    if (home === undefined || !isAbsolute(home)) {
      return { ok: false, problem: `"${raw}" starts with ~/ but $HOME is not set to an absolute path` };
    }
    return { ok: true, path: resolve(home, raw.slice(2)) };
  }
  if (raw.startsWith('~')) {
    return { ok: false, problem: `"${raw}": only ~/ (your own home) is expanded, not ~user` };
  }
  return { ok: true, path: resolve(baseDir, raw) };
}
