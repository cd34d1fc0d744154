// Narrowing of `unknown` errors, in one place (rimraf's habit).
import { constants } from 'node:os';

/** errno number → name, for the errors libuv has no name for (it reports EDQUOT as
 *  "Unknown system error -122" in Node 20). */
const NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, number]) => [number, name]),
);

/** The errno name of a Node.js system error ("ENOENT", "EACCES", "EDQUOT", …), or undefined. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  const errno = 'errno' in error ? error.errno : undefined;
  if (typeof errno === 'number')
    return NAMES.get(Math.abs(errno)) ?? (typeof code === 'string' ? code : undefined);
  return typeof code === 'string' ? code : undefined;
}

/** A short human text for any thrown value, without a stack trace. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
