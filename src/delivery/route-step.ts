// Routing, as a step of a delivery or a dry run: when some target has a `match` rule, read the
// header block ahead, decode what the rules need and decide which targets get the message.
// Without rules, nothing is read ahead and nothing is loaded.
import type { Target } from '../config/types';
import { headerFields } from '../message/header-fields';
import { peekHeaderBlock } from '../message/header-block';
import { loadAddressParser } from '../route/address-parser';
import { headerView } from '../route/header-view';
import { routeMessage, ruleNeeds, type RoutePlan } from '../route/route';
import type { UnmatchedPolicy } from '../route/rule';

/** How much of the header rules see. Postfix's header_size_limit is 102400 bytes (it treats
 *  what follows as body); 256 KiB is more than any real header and bounds a hostile one. */
export const MAX_ROUTING_HEADER = 256 * 1024;

export interface Routed {
  /** undefined when no target has a rule: every target gets the message. */
  readonly plan: RoutePlan | undefined;
  /** The message, from its first byte, whatever was read ahead. */
  readonly input: AsyncIterable<Buffer | string>;
}

export async function routeStep(
  targets: readonly Target[],
  policy: UnmatchedPolicy,
  input: AsyncIterable<Buffer | string>,
): Promise<Routed> {
  const needs = ruleNeeds(targets);
  if (!needs.header) return { plan: undefined, input };
  const peeked = await peekHeaderBlock(input, MAX_ROUTING_HEADER);
  const parseAddresses = needs.addresses ? await loadAddressParser() : () => [];
  const view = headerView(headerFields(peeked.bytes), parseAddresses);
  return { plan: routeMessage(targets, view, policy), input: peeked.input };
}
