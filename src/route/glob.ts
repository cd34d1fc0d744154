// Shell patterns ("glob") as admins write them in .procmailrc or a shell case statement, turned
// into a regular expression that must match the whole value. Like fnmatch(3) without
// FNM_PATHNAME: `*` also crosses `/`, `@` and dots, because values are headers, not paths.
// Pure.

export type GlobResult =
  { readonly ok: true; readonly source: string } | { readonly ok: false; readonly problem: string };

/** The pattern as an anchored regular-expression source (for the `u` flag). */
export function globToRegExpSource(pattern: string): GlobResult {
  let source = '';
  // Code points, not UTF-16 units: `?` is one character, also outside the BMP.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') source += '[^]*';
    else if (c === '?') source += '[^]';
    else if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) return { ok: false, problem: 'ends with a lone \\' };
      source += escapeRegExp(next);
    } else if (c === '[') {
      const set = bracket(chars, i);
      if (!set.ok) return set;
      source += set.source;
      i = set.end;
    } else source += escapeRegExp(c);
  }
  return { ok: true, source: `^${source}$` };
}

/** A [...] set starting at chars[start]: its regex class and the index of its closing ]. */
function bracket(
  chars: readonly string[],
  start: number,
): { ok: true; source: string; end: number } | { ok: false; problem: string } {
  let i = start + 1;
  const negated = chars[i] === '!' || chars[i] === '^';
  if (negated) i++;
  let body = '';
  // POSIX: a ] right after [ or [! is a member, not the end of the set.
  for (let first = true; i < chars.length; i++, first = false) {
    const c = chars[i] as string;
    if (c === ']' && !first) {
      if (body === '') return { ok: false, problem: `empty set at character ${start + 1}` };
      return { ok: true, source: `[${negated ? '^' : ''}${body}]`, end: i };
    }
    if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) break;
      body += escapeClass(next);
    } else if (c === '-' && body !== '' && chars[i + 1] !== ']' && chars[i + 1] !== undefined) {
      const low = chars[i - 1] as string;
      const high = chars[i + 1] as string;
      if ((low.codePointAt(0) ?? 0) > (high.codePointAt(0) ?? 0)) {
        return { ok: false, problem: `range ${low}-${high} is out of order` };
      }
      body += '-';
    } else body += escapeClass(c);
  }
  return { ok: false, problem: `[ at character ${start + 1} has no closing ]` };
}

/** Escapes a syntax character; Unicode mode refuses escapes of anything else (`\-`, `\@`). */
function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function escapeClass(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}
