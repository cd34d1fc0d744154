// The `match` value of a target, already shaped by the JSON Schema, checked for what the schema
// cannot say (one subject and one comparison per test, valid patterns, nesting depth) and
// compiled into a Rule. Errors name the JSON path. Pure.
import { formatPath } from '../config/json-schema';
import { globMatcher, globToRegExpSource } from './glob';
import type { Comparison, Rule } from './rule';

export type Compiled =
  { readonly ok: true; readonly rule: Rule } | { readonly ok: false; readonly problem: string };

/** Deeper nesting is a mistake, not a need; the bound also keeps evaluation's recursion small. */
export const MAX_DEPTH = 16;

type Raw = Readonly<Record<string, unknown>>;
type At = readonly (string | number)[];

const SUBJECTS = ['header', 'address', 'any', 'all', 'not'] as const;
const COMPARISONS = ['equals', 'contains', 'glob', 'regex', 'exists'] as const;
/** RFC 5322 §3.6.8: a field name is printable US-ASCII except the colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

export function compileRule(raw: unknown, at: At): Compiled {
  return compile(raw as Raw, at, 1);
}

function compile(raw: Raw, at: At, depth: number): Compiled {
  const fail = (problem: string, where: At = at): Compiled => ({
    ok: false,
    problem: `${formatPath(where)}: ${problem}`,
  });
  if (depth > MAX_DEPTH) return fail(`rules nest deeper than ${MAX_DEPTH} levels`);
  const subjects = SUBJECTS.filter((key) => Object.hasOwn(raw, key));
  if (subjects.length !== 1) {
    return fail(
      subjects.length === 0
        ? 'a rule needs "header", "address", "any", "all" or "not"'
        : `a rule has one of "header", "address", "any", "all", "not"; this one has ${quoteList(subjects)}`,
    );
  }
  const subject = subjects[0] as (typeof SUBJECTS)[number];
  const path = formatPath(at);
  if (subject === 'any' || subject === 'all' || subject === 'not') {
    const extra = Object.keys(raw).filter((key) => key !== subject);
    if (extra.length > 0)
      return fail(`"${subject}" stands alone; move ${quoteList(extra)} into a rule of its own`);
    if (subject === 'not') {
      const inner = compile(raw.not as Raw, [...at, 'not'], depth + 1);
      return inner.ok ? { ok: true, rule: { kind: 'not', at: path, rule: inner.rule } } : inner;
    }
    const rules: Rule[] = [];
    for (const [index, item] of (raw[subject] as Raw[]).entries()) {
      const inner = compile(item, [...at, subject, index], depth + 1);
      if (!inner.ok) return inner;
      rules.push(inner.rule);
    }
    return { ok: true, rule: { kind: subject, at: path, rules } };
  }

  const name = raw[subject] as string;
  if (!FIELD_NAME.test(name)) {
    return fail('a header name is printable ASCII without spaces or a colon, e.g. "Subject"', [
      ...at,
      subject,
    ]);
  }
  const comparison = compileComparison(raw);
  if ('problem' in comparison)
    return fail(comparison.problem, comparison.key === undefined ? at : [...at, comparison.key]);
  return { ok: true, rule: { kind: 'test', at: path, field: subject, name, comparison } };
}

/** A problem, and the key it is about (none: the test as a whole). */
interface Problem {
  readonly problem: string;
  readonly key?: string;
}

function compileComparison(raw: Raw): Comparison | Problem {
  const ops = COMPARISONS.filter((key) => Object.hasOwn(raw, key));
  if (ops.length !== 1) {
    return {
      problem:
        ops.length === 0
          ? 'a test needs one of "equals", "contains", "glob", "regex" or "exists"'
          : `a test has one comparison; this one has ${quoteList(ops)}`,
    };
  }
  const op = ops[0] as (typeof COMPARISONS)[number];
  if (op === 'exists') {
    if (Object.hasOwn(raw, 'caseSensitive')) {
      return { problem: '"caseSensitive" means nothing beside "exists"', key: 'caseSensitive' };
    }
    return { op, present: raw.exists as boolean };
  }
  const text = raw[op] as string;
  const caseSensitive = (raw.caseSensitive as boolean | undefined) ?? false;
  // `u`: code points and Unicode case folding; `i` unless the rule asks for case.
  const flags = caseSensitive ? 'u' : 'iu';
  let source: string;
  if (op === 'equals') source = `^${escapeRegExp(text)}$`;
  else if (op === 'contains') source = escapeRegExp(text);
  else if (op === 'glob') {
    const glob = globToRegExpSource(text);
    if (!glob.ok) return { problem: `invalid glob: ${glob.problem}`, key: op };
    return { op, text, caseSensitive, pattern: globMatcher(glob.segments, flags) };
  } else source = text;
  try {
    return { op, text, caseSensitive, pattern: new RegExp(source, flags) };
  } catch (error: unknown) {
    // V8: "Invalid regular expression: /(a/iu: Unterminated group"; keep the reason only.
    const reason =
      error instanceof Error
        ? error.message.replace(/^Invalid regular expression: \/.*\/\w*: /s, '')
        : String(error);
    return { problem: `invalid regular expression: ${reason}`, key: op };
  }
}

/** Escapes what is special in a Unicode-mode regular expression, so that text matches as text. */
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function quoteList(keys: readonly string[]): string {
  return keys.map((key) => `"${key}"`).join(' and ');
}
