// File modes for delivered mail: "0640" → 0o640, with the rules shared by the config's "mode"
// key and the --mode option.

/** Same syntax as the schema's pattern for "mode": three octal digits, optionally after a 0. */
const MODE = /^0?[0-7]{3}$/;
const WORLD_WRITABLE = 0o002;
const OWNER_READ = 0o400;

export type ParsedMode =
  { readonly ok: true; readonly mode: number } | { readonly ok: false; readonly problem: string };

export function parseMode(text: string): ParsedMode {
  if (!MODE.test(text)) return { ok: false, problem: 'expected an octal mode such as "0600" or "0640"' };
  const mode = parseInt(text, 8);
  if ((mode & WORLD_WRITABLE) !== 0) {
    return { ok: false, problem: `"${text}" is world-writable; any local user could alter delivered mail` };
  }
  // A file its owner cannot read is mail nobody running as the recipient can process.
  if ((mode & OWNER_READ) === 0)
    return { ok: false, problem: `"${text}" does not let the owner read the mail` };
  return { ok: true, mode };
}
