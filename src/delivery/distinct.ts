// Two names for one maildir (a symlink, a bind mount, "a" and "a/.") would put two copies of
// every message into one place, which no consumer wants. Pure: decided from the pre-check facts.
import type { Target } from '../config/types';
import type { MaildirFacts } from '../maildir/precheck';
import { temporary, type Failure } from '../outcome/outcome';

/** The first target that is the same directory as an earlier one, as a Failure. */
export function sameMaildirFailure(
  targets: readonly Target[],
  facts: readonly (MaildirFacts | undefined)[],
): Failure | undefined {
  const seen = new Map<string, Target>();
  for (const [index, target] of targets.entries()) {
    const fact = facts[index];
    if (fact === undefined) continue;
    const key = `${fact.rootDev}:${fact.rootIno}`;
    const other = seen.get(key);
    if (other !== undefined) {
      return temporary(
        '4.3.5',
        other.path === target.path
          ? `maildir ${target.path} is listed twice`
          : `target ${target.name}: ${target.path} is the same maildir as ${other.path} (target ${other.name})`,
      );
    }
    seen.set(key, target);
  }
  return undefined;
}
