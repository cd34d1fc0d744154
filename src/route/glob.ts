// Shell patterns ("glob") as admins write them in .procmailrc or a shell case statement, turned
// into a regular expression that must match the whole value. Like fnmatch(3) without
// FNM_PATHNAME: `*` also crosses `/`, `@` and dots, because values are headers, not paths.
// Pure.

export type GlobResult =
  | {
      readonly ok: true;
      /** The whole pattern as one anchored regular-expression source (for the `u` flag). */
      readonly source: string;
      /** The sources of the parts between the stars: "a*b?c" → ["a", "b[^]c"]. */
      readonly segments: readonly string[];
    }
  | { readonly ok: false; readonly problem: string };

export interface Matcher {
  test(value: string): boolean;
}

export function globToRegExpSource(pattern: string): GlobResult {
  let source = '';
  const segments: string[] = [];
  let segment = '';
  const add = (part: string): void => {
    source += part;
    segment += part;
  };
  // Code points, not UTF-16 units: `?` is one character, also outside the BMP.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') {
      source += '[^]*';
      segments.push(segment);
      segment = '';
    } else if (c === '?') add('[^]');
    else if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) return { ok: false, problem: 'ends with a lone \\' };
      add(escapeRegExp(next));
    } else if (c === '[') {
      const set = bracket(chars, i);
      if (!set.ok) return set;
      add(set.source);
      i = set.end;
    } else add(escapeRegExp(c));
  }
  return { ok: true, source: `^${source}$`, segments: [...segments, segment] };
}

/**
 * A matcher for the whole value that takes linear time in it (times the pattern's length).
 * One regex of "[^]*" parts backtracks: "*<*-commits.*>" took 11 s on a hostile 16 KiB List-Id,
 * with the deadline unable to fire meanwhile. Instead the parts between the stars, which hold
 * no quantifier, are found one after the other at their leftmost place, which is what a star
 * allows: the classic greedy glob algorithm. `flags` is "u" or "iu" (case as for the others).
 */
export function globMatcher(segments: readonly string[], flags: string): Matcher {
  if (segments.length === 1) return new RegExp(`^${segments[0] ?? ''}$`, flags);
  const first = new RegExp(segments[0] ?? '', `${flags}y`);
  const middle = segments.slice(1, -1).map((part) => new RegExp(part, `${flags}g`));
  const last = new RegExp(`(?:${segments.at(-1) ?? ''})$`, `${flags}g`);
  return {
    test(value) {
      first.lastIndex = 0;
      const head = first.exec(value);
      if (head === null) return false;
      let at = head[0].length;
      for (const part of middle) {
        part.lastIndex = at;
        const found = part.exec(value);
        if (found === null) return false;
        at = found.index + found[0].length;
      }
      last.lastIndex = at;
      return last.exec(value) !== null;
    },
  };
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
      // An escaped end ("[a-\\z]") is the character after the backslash.
      const high = (chars[i + 1] === '\\' ? chars[i + 2] : chars[i + 1]) ?? '';
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
