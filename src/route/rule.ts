// A compiled `match` rule of targets.json (README, "Routing"): what route.ts evaluates. Built
// from the JSON by compile.ts, which has already refused everything malformed.
import type { Matcher } from './glob';

/** How a test compares each value. */
export type Comparison =
  | {
      readonly op: 'equals' | 'contains' | 'glob' | 'regex';
      /** As written in the config, for explanations. */
      readonly text: string;
      readonly caseSensitive: boolean;
      /** The comparison: a regular expression (no `g` flag: test() keeps no state), or for a
       *  glob a linear-time matcher (glob.ts). */
      readonly pattern: Matcher;
    }
  | { readonly op: 'exists'; readonly present: boolean };

export interface TestRule {
  readonly kind: 'test';
  /** JSON path of the rule in the config, e.g. "targets[1].match.any[0]". */
  readonly at: string;
  /** `header`: the field's decoded values; `address`: the addresses parsed from it. */
  readonly field: 'header' | 'address';
  /** The field name as written in the config (compared case-insensitively). */
  readonly name: string;
  readonly comparison: Comparison;
}

export interface ListRule {
  readonly kind: 'any' | 'all';
  readonly at: string;
  readonly rules: readonly Rule[];
}

export interface NotRule {
  readonly kind: 'not';
  readonly at: string;
  readonly rule: Rule;
}

export type Rule = TestRule | ListRule | NotRule;

/** What happens to a message that no target's rule accepts (README, "Routing"). */
export type UnmatchedPolicy =
  | { readonly kind: 'reject' | 'defer' | 'discard' }
  | { readonly kind: 'deliverTo'; readonly targets: readonly string[] };
