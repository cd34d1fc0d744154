// --dry-run: the plan of a delivery, and nothing written (no tmp file, no maildir created).
// It runs the same pre-checks and the same copy plan as a real delivery and reads the message
// the same way, so what it says is what would happen.
import type { Config } from '../config/types';
import { maildirLayout } from '../maildir/layout';
import { precheckMaildir, type MaildirFacts } from '../maildir/precheck';
import { digestSink } from '../journal/digest';
import { pumpMessage } from '../message/pump';
import { headerScan } from '../message/header-scan';
import type { Caller } from '../mta/caller';
import type { TraceHeaders } from '../mta/trace-headers';
import { FailureError, ok, permanent, type Failure, type Outcome } from '../outcome/outcome';
import type { DeliveryDeps } from './deliver';
import { sameMaildirFailure } from './distinct';
import { planCopies } from './plan';

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
  const fail = (failure: Failure): void => {
    if (outcome.kind === 'ok') outcome = failure;
  };

  if (input === undefined) {
    lines.push('message: not read (standard input is a terminal)');
  } else {
    try {
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
      if (!(error instanceof FailureError)) throw error;
      lines.push(`message: rejected: ${error.failure.status} ${error.failure.text}`);
      fail(error.failure);
    }
  }
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
      fail(checked.failure);
    }
  }
  const same = sameMaildirFailure(targets, facts);
  if (same !== undefined) {
    lines.push(`problem: ${same.status} ${same.text}`);
    fail(same);
  }
  const methods = planCopies(targets, facts, settings.hardLinks);
  lines.push(`targets: ${targets.length}`);
  for (const [index, target] of targets.entries()) {
    const method = methods[index];
    const layout = maildirLayout(target.path);
    const name = deps.names.next();
    const how =
      method?.kind === 'link'
        ? `hard link to the file of target ${targets[method.from]?.name ?? '?'}`
        : 'written from the message';
    lines.push(`  ${target.name}: ${target.path}`);
    const has = holders?.delivered.has(target.path) === true;
    lines.push(`    state: ${states[index] ?? ''}${has ? '; already holds this message: skipped' : ''}`);
    lines.push(`    file: ${layout.tmp}/${name} -> ${layout.new}/${name} (name differs on each run)`);
    lines.push(`    copy: ${how}, mode ${target.mode.toString(8).padStart(4, '0')}`);
  }
  const fresh = targets.filter((t) => holders?.delivered.has(t.path) !== true).length;
  const plural = (n: number): string => `${n} target${n === 1 ? '' : 's'}`;
  lines.push(
    outcome.kind !== 'ok'
      ? `result: would fail: ${outcome.status} ${outcome.text}`
      : fresh === targets.length
        ? `result: would deliver one copy to each of ${plural(targets.length)}`
        : `result: already delivered to ${plural(targets.length - fresh)}; would deliver to the other ${plural(fresh)}`,
  );
  return { outcome, text: `${lines.join('\n')}\n` };
}
