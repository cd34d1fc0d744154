// A target's `match` (already shaped by the JSON Schema) compiled into a Rule, or refused with
// the JSON path of the offending key (README, "Routing": "Rules are checked when the config is
// loaded").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRule, MAX_DEPTH } from '../../../src/route/compile';
import type { Rule } from '../../../src/route/rule';

const AT = ['targets', 0, 'match'] as const;

function ruleOf(raw: unknown, at: readonly (string | number)[] = AT): Rule {
  const compiled = compileRule(raw, at);
  if (!compiled.ok) return assert.fail(compiled.problem);
  return compiled.rule;
}

function problemOf(raw: unknown, at: readonly (string | number)[] = AT): string {
  const compiled = compileRule(raw, at);
  if (compiled.ok) return assert.fail(`compiled: ${JSON.stringify(compiled.rule)}`);
  return compiled.problem;
}

/** `depth` levels of rules: `wrap` around itself depth - 1 times, around one test. */
function nested(depth: number, wrap: (inner: unknown) => unknown): unknown {
  let rule: unknown = { header: 'X-A', exists: true };
  for (let level = 1; level < depth; level++) rule = wrap(rule);
  return rule;
}

describe('compileRule: tests', () => {
  /** [title, raw, the compiled rule] */
  // prettier-ignore
  const table: [string, unknown, Rule][] = [
    ['header equals', { header: 'Subject', equals: 'a.b' }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'Subject', comparison: { op: 'equals', text: 'a.b', caseSensitive: false, pattern: /^a\.b$/iu } }],
    ['header contains', { header: 'Subject', contains: '[macos]' }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'Subject', comparison: { op: 'contains', text: '[macos]', caseSensitive: false, pattern: /\[macos\]/iu } }],
    ['header regex', { header: 'Subject', regex: '^\\[?(?:RFC|WIP)\\b' }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'Subject', comparison: { op: 'regex', text: '^\\[?(?:RFC|WIP)\\b', caseSensitive: false, pattern: /^\[?(?:RFC|WIP)\b/iu } }],
    ['header exists true', { header: 'List-Id', exists: true }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'List-Id', comparison: { op: 'exists', present: true } }],
    ['header exists false', { header: 'List-Id', exists: false }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'List-Id', comparison: { op: 'exists', present: false } }],
    ['caseSensitive true: no i flag', { header: 'Subject', equals: 'X', caseSensitive: true }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'Subject', comparison: { op: 'equals', text: 'X', caseSensitive: true, pattern: /^X$/u } }],
    ['caseSensitive false: the default', { header: 'Subject', contains: 'X', caseSensitive: false }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'Subject', comparison: { op: 'contains', text: 'X', caseSensitive: false, pattern: /X/iu } }],
    ['caseSensitive on a regex', { header: 'Subject', regex: 'a+', caseSensitive: true }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'Subject', comparison: { op: 'regex', text: 'a+', caseSensitive: true, pattern: /a+/u } }],
    ['address equals', { address: 'From', equals: 'a@b.c' }, { kind: 'test', at: 'targets[0].match', field: 'address', name: 'From', comparison: { op: 'equals', text: 'a@b.c', caseSensitive: false, pattern: /^a@b\.c$/iu } }],
    ['address exists', { address: 'Cc', exists: true }, { kind: 'test', at: 'targets[0].match', field: 'address', name: 'Cc', comparison: { op: 'exists', present: true } }],
    ['the header name is kept as written', { header: 'x-GIT-repo', exists: true }, { kind: 'test', at: 'targets[0].match', field: 'header', name: 'x-GIT-repo', comparison: { op: 'exists', present: true } }],
    ['a header name with every printable ASCII but the colon', { header: '!#$%&\'*+-.^_`|~09AZaz<>=?@[]{}"(),/;\\', exists: true }, { kind: 'test', at: 'targets[0].match', field: 'header', name: '!#$%&\'*+-.^_`|~09AZaz<>=?@[]{}"(),/;\\', comparison: { op: 'exists', present: true } }],
  ];
  for (const [title, raw, rule] of table) {
    it(title, () => assert.deepEqual(ruleOf(raw), rule));
  }

  it('equals and contains match their text as text, whatever regex syntax it holds', () => {
    const text = '^a.b*c+(d)|[e]{2}\\$/?';
    for (const op of ['equals', 'contains'] as const) {
      const rule = ruleOf({ header: 'Subject', [op]: text });
      assert.ok(rule.kind === 'test' && rule.comparison.op === op);
      assert.ok(rule.comparison.pattern.test(text), op);
      assert.ok(!rule.comparison.pattern.test('aXb'), op);
    }
  });

  it('no regex pattern carries a g or y flag (test() keeps no state between values)', () => {
    for (const op of ['equals', 'contains', 'regex'] as const) {
      const rule = ruleOf({ header: 'Subject', [op]: 'x' });
      assert.ok(rule.kind === 'test' && rule.comparison.op === op);
      assert.ok(rule.comparison.pattern instanceof RegExp);
      assert.doesNotMatch(rule.comparison.pattern.flags, /[gy]/);
    }
  });

  // prettier-ignore
  const globs: [string, string, boolean, boolean][] = [
    // [pattern, value, caseSensitive, matches]
    ['gst*', 'GStreamer-core', false, true],
    ['gst*', 'GStreamer-core', true, false],
    ['*@kernel.org', 'Linus@Kernel.ORG', false, true],
    ['*@kernel.org', 'a@kernel.org.evil', false, false],
    ['*<*-commits.*>', '<gstreamer-commits.lists.freedesktop.org>', false, true],
    ['a*b*c', 'abc', false, true],
    ['a*b*c', 'acb', false, false],
    ['*a*', 'bab', false, true],
    ['**', '', false, true],
    ['a?c*', 'abcd', false, true],
  ];
  for (const [pattern, value, caseSensitive, matches] of globs) {
    it(`glob ${JSON.stringify(pattern)} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(value)}${caseSensitive ? ' (case-sensitive)' : ''}`, () => {
      const rule = ruleOf({ header: 'Subject', glob: pattern, caseSensitive });
      assert.ok(rule.kind === 'test' && rule.comparison.op === 'glob');
      // Twice, with another value between: the matcher keeps no state.
      assert.equal(rule.comparison.pattern.test(value), matches);
      rule.comparison.pattern.test('something else entirely');
      assert.equal(rule.comparison.pattern.test(value), matches);
    });
  }

  it('regression: a glob with stars takes linear time on a hostile value (was a backtracking regex: 11 s at 16 KiB)', () => {
    const rule = ruleOf({ header: 'List-Id', glob: '*<*-commits.*>' });
    assert.ok(rule.kind === 'test' && rule.comparison.op === 'glob');
    const hostile = '<a-commits.'.repeat(24_000); // 264 KiB, more than the routing header cap
    const started = process.hrtime.bigint();
    assert.equal(rule.comparison.pattern.test(hostile), false);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('the path given is the path of the rule', () => {
    assert.equal(ruleOf({ header: 'A', exists: true }, ['targets', 7, 'match']).at, 'targets[7].match');
  });
});

describe('compileRule: combinations', () => {
  const test = (at: string, name = 'X-A'): Rule => ({
    kind: 'test',
    at,
    field: 'header',
    name,
    comparison: { op: 'exists', present: true },
  });

  // prettier-ignore
  const table: [string, unknown, Rule][] = [
    ['any', { any: [{ header: 'X-A', exists: true }, { header: 'X-B', exists: true }] }, { kind: 'any', at: 'targets[0].match', rules: [test('targets[0].match.any[0]'), test('targets[0].match.any[1]', 'X-B')] }],
    ['all', { all: [{ header: 'X-A', exists: true }] }, { kind: 'all', at: 'targets[0].match', rules: [test('targets[0].match.all[0]')] }],
    ['not', { not: { header: 'X-A', exists: true } }, { kind: 'not', at: 'targets[0].match', rule: test('targets[0].match.not') }],
    ['all inside any inside not', { not: { any: [{ all: [{ header: 'X-A', exists: true }] }] } }, { kind: 'not', at: 'targets[0].match', rule: { kind: 'any', at: 'targets[0].match.not', rules: [{ kind: 'all', at: 'targets[0].match.not.any[0]', rules: [test('targets[0].match.not.any[0].all[0]')] }] } }],
  ];
  for (const [title, raw, rule] of table) {
    it(title, () => assert.deepEqual(ruleOf(raw), rule));
  }

  it(`${MAX_DEPTH} levels of nesting are allowed (not, any, all)`, () => {
    assert.equal(MAX_DEPTH, 16);
    for (const wrap of [
      (r: unknown) => ({ not: r }),
      (r: unknown) => ({ any: [r] }),
      (r: unknown) => ({ all: [r] }),
    ]) {
      assert.doesNotThrow(() => ruleOf(nested(MAX_DEPTH, wrap)));
    }
  });
});

describe('compileRule: problems, with their JSON path', () => {
  const deepNot = nested(MAX_DEPTH + 1, (r) => ({ not: r }));
  const deepAny = nested(MAX_DEPTH + 1, (r) => ({ any: [r] }));
  const notPath = `targets[0].match${'.not'.repeat(MAX_DEPTH)}`;
  const anyPath = `targets[0].match${'.any[0]'.repeat(MAX_DEPTH)}`;
  const NAME = 'a header name is printable ASCII without spaces or a colon, e.g. "Subject"';

  // prettier-ignore
  const table: [string, unknown, string][] = [
    ['no subject', {}, 'targets[0].match: a rule needs "header", "address", "any", "all" or "not"'],
    ['no subject, only a comparison', { equals: 'x' }, 'targets[0].match: a rule needs "header", "address", "any", "all" or "not"'],
    ['two subjects: header and address', { header: 'A', address: 'B', equals: 'x' }, 'targets[0].match: a rule has one of "header", "address", "any", "all", "not"; this one has "header" and "address"'],
    ['two subjects: header and any', { header: 'A', any: [{ header: 'B', exists: true }] }, 'targets[0].match: a rule has one of "header", "address", "any", "all", "not"; this one has "header" and "any"'],
    ['three subjects', { all: [], not: {}, any: [] }, 'targets[0].match: a rule has one of "header", "address", "any", "all", "not"; this one has "any" and "all" and "not"'],
    ['any with a comparison beside it', { any: [{ header: 'A', exists: true }], equals: 'x' }, 'targets[0].match: "any" stands alone; move "equals" into a rule of its own'],
    ['all with caseSensitive beside it', { all: [{ header: 'A', exists: true }], caseSensitive: true }, 'targets[0].match: "all" stands alone; move "caseSensitive" into a rule of its own'],
    ['not with two keys beside it', { not: { header: 'A', exists: true }, equals: 'x', caseSensitive: true }, 'targets[0].match: "not" stands alone; move "equals" and "caseSensitive" into a rule of its own'],
    ['no comparison', { header: 'Subject' }, 'targets[0].match: a test needs one of "equals", "contains", "glob", "regex" or "exists"'],
    ['no comparison, only caseSensitive', { address: 'From', caseSensitive: true }, 'targets[0].match: a test needs one of "equals", "contains", "glob", "regex" or "exists"'],
    ['two comparisons', { header: 'Subject', equals: 'x', contains: 'y' }, 'targets[0].match: a test has one comparison; this one has "equals" and "contains"'],
    ['three comparisons', { header: 'Subject', exists: true, glob: 'x', regex: 'y' }, 'targets[0].match: a test has one comparison; this one has "glob" and "regex" and "exists"'],
    ['caseSensitive beside exists', { header: 'Subject', exists: true, caseSensitive: true }, 'targets[0].match.caseSensitive: "caseSensitive" means nothing beside "exists"'],
    ['caseSensitive false beside exists', { address: 'From', exists: false, caseSensitive: false }, 'targets[0].match.caseSensitive: "caseSensitive" means nothing beside "exists"'],
    ['a header name with a space', { header: 'List Id', exists: true }, `targets[0].match.header: ${NAME}`],
    ['a header name with a trailing space', { header: 'Subject ', exists: true }, `targets[0].match.header: ${NAME}`],
    ['a header name with a colon', { header: 'Subject:', exists: true }, `targets[0].match.header: ${NAME}`],
    ['a header name with a tab', { header: 'X\tY', exists: true }, `targets[0].match.header: ${NAME}`],
    ['a header name with DEL', { header: 'X\u007fY', exists: true }, `targets[0].match.header: ${NAME}`],
    ['a header name with non-ASCII', { header: 'Sübject', exists: true }, `targets[0].match.header: ${NAME}`],
    ['an address name with a space', { address: 'Reply To', equals: 'x' }, `targets[0].match.address: ${NAME}`],
    ['an address name with a colon', { address: 'From:', equals: 'x' }, `targets[0].match.address: ${NAME}`],
    ['an invalid regex: unterminated group', { header: 'Subject', regex: '(a' }, 'targets[0].match.regex: invalid regular expression: Unterminated group'],
    ['an invalid regex: bad quantifier', { header: 'Subject', regex: 'a{2,1}' }, 'targets[0].match.regex: invalid regular expression: numbers out of order in {} quantifier'],
    ['an invalid regex: unknown property (Unicode mode)', { header: 'Subject', regex: '\\p{Nope}' }, 'targets[0].match.regex: invalid regular expression: Invalid property name'],
    ['an invalid regex: a lone ] is refused in Unicode mode', { header: 'Subject', regex: 'a]' }, 'targets[0].match.regex: invalid regular expression: Lone quantifier brackets'],
    ['an invalid regex holding "/: "', { header: 'Subject', regex: '/: (' }, 'targets[0].match.regex: invalid regular expression: Unterminated group'],
    ['an invalid glob: lone backslash', { header: 'Subject', glob: 'a\\' }, 'targets[0].match.glob: invalid glob: ends with a lone \\'],
    ['an invalid glob: unclosed [', { address: 'From', glob: '[a-z' }, 'targets[0].match.glob: invalid glob: [ at character 1 has no closing ]'],
    ['an invalid glob: reversed range', { header: 'Subject', glob: '[z-a]' }, 'targets[0].match.glob: invalid glob: range z-a is out of order'],
    ['nested: the path of the inner rule', { any: [{ header: 'A', exists: true }, { all: [{ header: 'B', regex: '(' }] }] }, 'targets[0].match.any[1].all[0].regex: invalid regular expression: Unterminated group'],
    ['nested under not', { not: { header: 'A' } }, 'targets[0].match.not: a test needs one of "equals", "contains", "glob", "regex" or "exists"'],
    ['nested: a bad name inside all', { all: [{ header: 'A', exists: true }, { header: 'A', exists: true }, { address: 'a b', exists: true }] }, `targets[0].match.all[2].address: ${NAME}`],
    ['nested: the first problem is reported', { any: [{ header: 'A' }, { header: 'B', regex: '(' }] }, 'targets[0].match.any[0]: a test needs one of "equals", "contains", "glob", "regex" or "exists"'],
    [`not nested ${MAX_DEPTH + 1} levels deep`, deepNot, `${notPath}: rules nest deeper than ${MAX_DEPTH} levels`],
    [`any nested ${MAX_DEPTH + 1} levels deep`, deepAny, `${anyPath}: rules nest deeper than ${MAX_DEPTH} levels`],
  ];
  for (const [title, raw, problem] of table) {
    it(title, () => assert.equal(problemOf(raw), problem));
  }

  it('the path of another target', () => {
    assert.equal(
      problemOf(
        {
          any: [
            { header: 'A', exists: true },
            { header: 'B', glob: '[' },
          ],
        },
        ['targets', 3, 'match'],
      ),
      'targets[3].match.any[1].glob: invalid glob: [ at character 1 has no closing ]',
    );
  });
});
