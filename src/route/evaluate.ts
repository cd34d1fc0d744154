// A rule against a message's header: matched or not, and which rule decided and why, in words
// that --dry-run prints. Pure.
import type { HeaderView } from './header-view';
import type { Rule, TestRule } from './rule';

export interface Decision {
  readonly matched: boolean;
  /** JSON path of the rule that decided, e.g. "targets[1].match.all[0]". */
  readonly at: string;
  readonly reason: string;
}

export function evaluate(rule: Rule, view: HeaderView): Decision {
  switch (rule.kind) {
    case 'test':
      return evaluateTest(rule, view);
    case 'not': {
      const inner = evaluate(rule.rule, view);
      return { matched: !inner.matched, at: rule.at, reason: `not (${inner.at}: ${inner.reason})` };
    }
    case 'any':
    case 'all': {
      // "any" is decided by its first true rule, "all" by its first false one.
      const decisive = rule.kind === 'any';
      for (const inner of rule.rules) {
        const decision = evaluate(inner, view);
        if (decision.matched === decisive) return decision;
      }
      const count = `${rule.rules.length} rule${rule.rules.length === 1 ? '' : 's'}`;
      return decisive
        ? { matched: false, at: rule.at, reason: `none of the ${count} of "any" matches` }
        : { matched: true, at: rule.at, reason: `all ${count} of "all" match` };
    }
  }
}

function evaluateTest(rule: TestRule, view: HeaderView): Decision {
  const values = rule.field === 'header' ? view.values(rule.name) : view.addresses(rule.name);
  const what = `${rule.field} ${rule.name} ${describe(rule)}`;
  const decide = (matched: boolean, detail: string): Decision => ({
    matched,
    at: rule.at,
    reason: `${what}: ${detail}`,
  });
  const { comparison } = rule;
  const none = rule.field === 'header' ? `no ${rule.name} field` : `no address in ${rule.name}`;
  if (comparison.op === 'exists') {
    const present = values.length > 0;
    return decide(present === comparison.present, present ? `present (${shown(values)})` : none);
  }
  if (values.length === 0) return decide(false, none);
  const hit = values.find((value) => comparison.pattern.test(value));
  return hit === undefined
    ? decide(false, `no ${rule.field === 'header' ? 'value' : 'address'} matches (${shown(values)})`)
    : decide(true, `matches ${quote(hit)}`);
}

function describe(rule: TestRule): string {
  const { comparison } = rule;
  if (comparison.op === 'exists') return comparison.present ? 'exists' : 'is absent';
  return `${comparison.op} ${JSON.stringify(comparison.text)}${comparison.caseSensitive ? ' (case-sensitive)' : ''}`;
}

/** A value for a one-line explanation: quoted, control characters escaped, long ones cut. */
function quote(value: string): string {
  // JSON.stringify escapes C0 controls but not C1 (U+0080–U+009F), where U+009B is a terminal's
  // CSI: a hostile Subject must not drive the admin's terminal through --dry-run.
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function shown(values: readonly string[]): string {
  const more = values.length > 3 ? `, and ${values.length - 3} more` : '';
  return values.slice(0, 3).map(quote).join(', ') + more;
}
