// Shell patterns to anchored regular expressions (README, "Routing", `glob`): fnmatch(3) without
// FNM_PATHNAME, so `*` crosses `/`, `@` and dots; every other regex character is a literal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globToRegExpSource } from '../../../src/route/glob';

/** Whether `value` matches `pattern` as a glob, the way compile.ts uses the source. */
function matches(pattern: string, value: string): boolean {
  const glob = globToRegExpSource(pattern);
  if (!glob.ok) return assert.fail(`${pattern}: ${glob.problem}`);
  return new RegExp(glob.source, 'u').test(value);
}

/** The result without its segments (glob matcher parts, tested in compile.test.ts). */
function sourceOf(pattern: string): unknown {
  const result = globToRegExpSource(pattern);
  return result.ok ? { ok: true, source: result.source } : result;
}

describe('globToRegExpSource: matching', () => {
  /** [pattern, value, matches] */
  // prettier-ignore
  const table: [string, string, boolean][] = [
    // plain text: the whole value, nothing more
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['abc', 'xabc', false],
    ['abc', 'ab', false],
    ['abc', 'ABC', false],
    // *
    ['*', '', true],
    ['*', 'anything at all', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ba', false],
    ['*c', 'abc', true],
    ['*c', 'abcd', false],
    ['a*c', 'ac', true],
    ['a*c', 'a/b/c', true],
    ['*@kernel.org', 'torvalds@kernel.org', true],
    ['*@kernel.org', 'torvalds@kernel.org.evil.com', false],
    ['*@kernel.org', 'torvalds@kernelXorg', false],
    ['gstreamer*', 'gstreamer-plugins-base', true],
    ['*/*', 'a/b', true],
    ['*', 'line\nbreak', true],
    ['a*b*c', 'a-b-c', true],
    ['a*b*c', 'a-c-b', false],
    ['**', 'x', true],
    // ?
    ['?', 'a', true],
    ['?', '', false],
    ['?', 'ab', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', true],
    ['a?c', 'ac', false],
    ['???', 'abc', true],
    ['?', '\n', true],
    // astral characters: one code point is one `?`
    ['?', '😀', true],
    ['??', '😀', false],
    ['a?b', 'a😀b', true],
    ['😀*', '😀 party', true],
    ['[😀😂]', '😂', true],
    ['[😀-😂]', '😁', true],
    ['[!😀]', '😀', false],
    ['[!😀]', '😁', true],
    // sets
    ['[abc]', 'a', true],
    ['[abc]', 'c', true],
    ['[abc]', 'd', false],
    ['[abc]', 'ab', false],
    ['[abc]', '', false],
    ['[a-z]', 'm', true],
    ['[a-z]', 'M', false],
    ['[a-z]', '-', false],
    ['[a-z0-9]', '7', true],
    ['[a-c-e]', 'e', true],
    ['v[0-9].[0-9]', 'v1.2', true],
    ['v[0-9].[0-9]', 'v1x2', false],
    ['[!a]', 'b', true],
    ['[!a]', 'a', false],
    ['[!a]', '', false],
    ['[^a]', 'b', true],
    ['[^a]', 'a', false],
    ['[!a-c]', 'd', true],
    ['[!a-c]', 'b', false],
    ['[a!]', '!', true],
    ['[a^]', '^', true],
    ['[a^]', 'b', false],
    // ] first in a set is a member
    ['[]]', ']', true],
    ['[]]', 'a', false],
    ['[]a]', 'a', true],
    ['[]a]', ']', true],
    ['[!]]', ']', false],
    ['[!]]', 'a', true],
    ['[^]]', ']', false],
    // - first or last in a set is a member
    ['[-a]', '-', true],
    ['[-a]', 'a', true],
    ['[a-]', '-', true],
    ['[a-]', 'b', false],
    ['[!-a]', '-', false],
    ['[!-a]', 'b', true],
    // [ and regex class syntax inside a set are members
    ['[[]', '[', true],
    ['[a\\]]', ']', true],
    ['[\\-]', '-', true],
    ['[\\!a]', '!', true],
    ['[.]', '.', true],
    ['[.]', 'a', false],
    ['[*?]', '*', true],
    ['[*?]', 'a', false],
    ['[|&]', '|', true],
    ['[$]', '$', true],
    ['[\\\\]', '\\', true],
    ['[[:alpha:]]', 'a]', true],
    // \ makes the next character literal
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['\\?', '?', true],
    ['\\?', 'a', false],
    ['\\[a]', '[a]', true],
    ['\\[a]', 'a', false],
    ['\\\\', '\\', true],
    ['a\\b', 'ab', true],
    ['\\-', '-', true],
    ['\\@', '@', true],
    ['\\😀', '😀', true],
    ['*\\*', 'footnote*', true],
    ['*\\*', 'footnote', false],
    // characters special in a regular expression are literals
    ['a.c', 'a.c', true],
    ['a.c', 'abc', false],
    ['a+', 'a+', true],
    ['a+', 'aa', false],
    ['(a)', '(a)', true],
    ['(a)', 'a', false],
    ['a|b', 'a|b', true],
    ['a|b', 'a', false],
    ['a|b', 'b', false],
    ['$x', '$x', true],
    ['x^', 'x^', true],
    ['^x', '^x', true],
    ['^x', 'x', false],
    ['a/b', 'a/b', true],
    ['a-b', 'a-b', true],
    ['a@b', 'a@b', true],
    ['a{2}', 'a{2}', true],
    ['a{2}', 'aa', false],
    ['a}', 'a}', true],
    ['a]', 'a]', true],
    ['\\d', 'd', true],
    ['\\d', '1', false],
    ['#&%~=<>!,;:\'"`', '#&%~=<>!,;:\'"`', true],
  ];
  for (const [pattern, value, expected] of table) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () =>
      assert.equal(matches(pattern, value), expected));
  }
});

describe('globToRegExpSource: the source', () => {
  // prettier-ignore
  const table: [string, string][] = [
    ['abc', '^abc$'],
    ['*', '^[^]*$'],
    ['?', '^[^]$'],
    ['a.b', '^a\\.b$'],
    ['[!a-c]', '^[^a-c]$'],
    ['[]]', '^[\\]]$'],
    ['', '^$'],
  ];
  for (const [pattern, source] of table) {
    it(`${JSON.stringify(pattern)} → ${source}`, () =>
      assert.deepEqual(sourceOf(pattern), { ok: true, source }));
  }

  it('every source of a valid pattern compiles as a Unicode regular expression', () => {
    const patterns = ['*', '[!]]', '[a-]', '[\\-]', '\\@', '\\-', '{', '}', '[{}()|]', '/', '[/]', '[😀-😂]'];
    for (const pattern of patterns) {
      const glob = globToRegExpSource(pattern);
      assert.ok(glob.ok, pattern);
      assert.doesNotThrow(() => new RegExp(glob.source, 'u'), pattern);
    }
  });
});

describe('globToRegExpSource: errors', () => {
  // prettier-ignore
  const table: [string, string, string][] = [
    ['a lone trailing backslash', 'abc\\', 'ends with a lone \\'],
    ['only a backslash', '\\', 'ends with a lone \\'],
    ['an unclosed [', 'a[bc', '[ at character 2 has no closing ]'],
    ['an unclosed [ at the start', '[abc', '[ at character 1 has no closing ]'],
    ['[ alone', '[', '[ at character 1 has no closing ]'],
    ['[] (the ] is a member, nothing closes)', '[]', '[ at character 1 has no closing ]'],
    ['[!] (the ] is a member, nothing closes)', '[!]', '[ at character 1 has no closing ]'],
    ['a set ending in a lone backslash', '[a\\', '[ at character 1 has no closing ]'],
    ['[\\] (the ] is escaped)', '[\\]', '[ at character 1 has no closing ]'],
    ['the position counts code points', '😀[a', '[ at character 2 has no closing ]'],
    ['a reversed range', '[z-a]', 'range z-a is out of order'],
    ['a reversed range after members', 'x[abz-b]', 'range z-b is out of order'],
    ['a reversed astral range', '[😂-😀]', 'range 😂-😀 is out of order'],
  ];
  for (const [title, pattern, problem] of table) {
    it(`${title}: ${JSON.stringify(pattern)} → ${problem}`, () =>
      assert.deepEqual(globToRegExpSource(pattern), { ok: false, problem }));
  }

  // Found while writing these tests: `\` makes the next character literal, also as the end of a
  // range, but the order check compares the low end with the backslash (U+005C) instead of the
  // character after it, so "[a-\z]" is refused as "range a-\ is out of order".
  it('regression: an escaped range end ("[a-\\z]") is the character after the backslash', () => {
    assert.deepEqual(sourceOf('[a-\\z]'), { ok: true, source: '^[a-z]$' });
  });
});
