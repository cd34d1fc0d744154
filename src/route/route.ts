// Which targets get a message: every target without a rule, every target whose rule matches,
// and, when none does, what the config's `unmatched` policy says (README, "Routing"). Pure.
import type { Target } from '../config/types';
import { evaluate, type Decision } from './evaluate';
import type { HeaderView } from './header-view';
import type { Rule, UnmatchedPolicy } from './rule';

export interface TargetRoute {
  readonly target: Target;
  readonly selected: boolean;
  /** How its rule decided; undefined for a target without a rule (it gets every message). */
  readonly decision: Decision | undefined;
  /** Selected only by `unmatched: {deliverTo: […]}`. */
  readonly fallback: boolean;
}

export interface RoutePlan {
  readonly routes: readonly TargetRoute[];
  /** The targets that get the message, in config order. */
  readonly selected: readonly Target[];
  /** No rule matched and no fallback applies: the policy's `reject`, `defer` or `discard` does. */
  readonly unmatched: 'reject' | 'defer' | 'discard' | undefined;
}

export function routeMessage(
  targets: readonly Target[],
  view: HeaderView,
  policy: UnmatchedPolicy,
): RoutePlan {
  let routes: TargetRoute[] = targets.map((target) => {
    const decision = target.match === undefined ? undefined : evaluate(target.match, view);
    return { target, selected: decision?.matched ?? true, decision, fallback: false };
  });
  let unmatched: RoutePlan['unmatched'];
  if (!routes.some((route) => route.selected)) {
    if (policy.kind === 'deliverTo') {
      const names = new Set(policy.targets);
      routes = routes.map((route) =>
        names.has(route.target.name) ? { ...route, selected: true, fallback: true } : route,
      );
    } else unmatched = policy.kind;
  }
  return { routes, selected: routes.filter((r) => r.selected).map((r) => r.target), unmatched };
}

/** Whether a rule set needs the header at all, and whether it needs the address parser. */
export function ruleNeeds(targets: readonly Target[]): { header: boolean; addresses: boolean } {
  const usesAddresses = (rule: Rule): boolean =>
    rule.kind === 'test'
      ? rule.field === 'address'
      : rule.kind === 'not'
        ? usesAddresses(rule.rule)
        : rule.rules.some(usesAddresses);
  const rules = targets.flatMap((t) => (t.match === undefined ? [] : [t.match]));
  return { header: rules.length > 0, addresses: rules.some(usesAddresses) };
}
