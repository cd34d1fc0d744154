// --dry-run: the plan of a delivery, and nothing written (no tmp file, no maildir created).
// It runs the same pre-checks and the same copy plan as a real delivery and reads the message
// the same way, so what it says is what would happen.
import type { Config, Target } from '../config/types';
import { maildirLayout } from '../maildir/layout';
import { precheckMaildir, type MaildirFacts } from '../maildir/precheck';
import { digestSink } from '../journal/digest';
import { pumpMessage } from '../message/pump';
import { headerScan } from '../message/header-scan';
import type { Caller } from '../mta/caller';
import type { TraceHeaders } from '../mta/trace-headers';
import { FailureError, ok, permanent, type Failure, type Outcome } from '../outcome/outcome';
import { ioFailure } from '../outcome/io-failure';
import type { DeliveryDeps } from './deliver';
import { sameMaildirFailure } from './distinct';
import { planCopies } from './plan';
import { routeStep } from './route-step';
import { unmatchedOutcome } from './unmatched';
import type { RoutePlan, TargetRoute } from '../route/route';
import { ruleNeeds } from '../route/route';

export async function explain(
  config: Config,
  input: AsyncIterable<Buffer | string> | undefined,
  deps: Pick<DeliveryDeps, 'fs' | 'names' | 'egid' | 'journal'>,
  configPath: string | undefined,
  caller: Caller,
  trace: TraceHeaders,
): Promise<{ outcome: Outcome; text: string }> {
  const { targets, settings } = config;
  const lines = ['maildir-fanout --dry-run: nothing is written.'];
  lines.push(`config: ${configPath ?? '(maildirs from the command line)'}`);
  lines.push(
    `limits: size ${settings.sizeLimit} bytes, timeout ${settings.timeoutSeconds} s, ` +
      `hard links ${settings.hardLinks ? 'on' : 'off'}`,
  );
  lines.push(`journal: ${deps.journal === undefined ? 'off' : deps.journal.layout.root}`);
  let outcome: Outcome = ok;
  let holders: { delivered: ReadonlySet<string>; pending: boolean } | undefined;
  let route: RoutePlan | undefined;
  const fail = (failure: Failure): void => {
    if (outcome.kind === 'ok') outcome = failure;
  };

  if (input === undefined) {
    lines.push('message: not read (standard input is a terminal)');
    if (ruleNeeds(targets).header) lines.push('routing: not decided (no message to look at)');
  } else {
    try {
      const routed = await routeStep(targets, settings.unmatched, input);
      route = routed.plan;
      input = routed.input;
      const digest = digestSink();
      const header = headerScan(trace.deliveredTo);
      const message = await pumpMessage(input, [digest, header], settings.sizeLimit);
      if (header.sawLine) {
        const loop = permanent(
          '5.4.6',
          `message is looping: it already has the line "${trace.deliveredTo ?? ''}"`,
        );
        lines.push(`message: rejected: ${loop.status} ${loop.text}`);
        fail(loop);
      }
      const hex = digest.hex();
      lines.push(`message: ${message.bytes} bytes would be delivered, sha256 ${hex}`);
      holders = await deps.journal?.peek(hex);
      if (holders?.pending === true) {
        lines.push('journal: an interrupted delivery of this message is pending; the run finishes it first');
      }
      lines.push(
        message.fromLine === undefined
          ? 'From_ line: none'
          : `From_ line: removed: ${JSON.stringify(message.fromLine)}`,
      );
    } catch (error: unknown) {
      const failure = error instanceof FailureError ? error.failure : ioFailure('reading the message', error);
      lines.push(`message: rejected: ${failure.status} ${failure.text}`);
      fail(failure);
    }
  }
  const chosen = new Set(route?.selected ?? targets);
  const by = caller.evidence.length === 0 ? '' : ` (${caller.evidence.join(', ')} set)`;
  lines.push(`caller: ${caller.mta}${by}`);
  lines.push(
    trace.text === ''
      ? `headers added: none (trace headers: ${settings.traceHeaders})`
      : `headers added: ${JSON.stringify(trace.text)}`,
  );

  const facts: (MaildirFacts | undefined)[] = [];
  const states: string[] = [];
  for (const target of targets) {
    const layout = maildirLayout(target.path);
    const checked = await precheckMaildir(deps.fs, layout, {
      create: false,
      egid: deps.egid,
      label: `target ${target.name}`,
    });
    if (checked.ok) {
      facts.push(checked.facts);
      states.push('ready');
    } else if (target.create && checked.failure.status === '4.2.1') {
      facts.push(undefined);
      states.push('missing: would be created (mode 0700)');
    } else {
      facts.push(undefined);
      states.push(`FAILS: ${checked.failure.status} ${checked.failure.text}`);
      // A target that does not get this message cannot fail its delivery.
      if (chosen.has(target)) fail(checked.failure);
    }
  }
  const used = targets.flatMap((target, index) => (chosen.has(target) ? [index] : []));
  const usedTargets = used.map((index) => targets[index] as Target);
  const usedFacts = used.map((index) => facts[index]);
  const same = sameMaildirFailure(usedTargets, usedFacts);
  if (same !== undefined) {
    lines.push(`problem: ${same.status} ${same.text}`);
    fail(same);
  }
  const unmatched = route?.unmatched === undefined ? ok : unmatchedOutcome(route.unmatched);
  if (unmatched.kind !== 'ok') fail(unmatched);
  const methods = planCopies(usedTargets, usedFacts, settings.hardLinks);
  lines.push(`targets: ${targets.length}`);
  for (const [index, target] of targets.entries()) {
    lines.push(`  ${target.name}: ${target.path}`);
    const routeOf = route?.routes[index];
    if (routeOf !== undefined) lines.push(`    route: ${routeText(routeOf)}`);
    const has = holders?.delivered.has(target.path) === true;
    lines.push(`    state: ${states[index] ?? ''}${has ? '; already holds this message: skipped' : ''}`);
    const at = used.indexOf(index);
    if (at === -1) continue;
    const method = methods[at];
    const layout = maildirLayout(target.path);
    const name = deps.names.next();
    const how =
      method?.kind === 'link'
        ? `hard link to the file of target ${usedTargets[method.from]?.name ?? '?'}`
        : 'written from the message';
    lines.push(`    file: ${layout.tmp}/${name} -> ${layout.new}/${name} (name differs on each run)`);
    lines.push(`    copy: ${how}, mode ${target.mode.toString(8).padStart(4, '0')}`);
  }
  const fresh = usedTargets.filter((t) => holders?.delivered.has(t.path) !== true).length;
  const plural = (n: number): string => `${n} target${n === 1 ? '' : 's'}`;
  const of = usedTargets.length === targets.length ? '' : ` (of ${targets.length})`;
  lines.push(
    outcome.kind !== 'ok'
      ? `result: would fail: ${outcome.status} ${outcome.text}`
      : route?.unmatched === 'discard'
        ? "result: would discard the message: no target's match rule accepts it (unmatched: discard)"
        : fresh === usedTargets.length
          ? `result: would deliver one copy to each of ${plural(usedTargets.length)}${of}`
          : `result: already delivered to ${plural(usedTargets.length - fresh)}; would deliver to the other ${plural(fresh)}`,
  );
  return { outcome, text: `${lines.join('\n')}\n` };
}

/** One target's routing, for the report: the answer, then the rule that decided and why. */
function routeText(route: TargetRoute): string {
  const decided = route.decision === undefined ? '' : `${route.decision.at}: ${route.decision.reason}`;
  if (route.decision === undefined) return 'yes: no match rule, gets every message';
  if (route.fallback) return `yes, by unmatched.deliverTo: no rule matched (${decided})`;
  return `${route.selected ? 'yes' : 'no'}: ${decided}`;
}
