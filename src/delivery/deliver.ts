// A whole delivery, in the order of DESIGN.md's guarantees:
//   0. route: with `match` rules, read the header block ahead and choose the targets;
//   1. pre-check every chosen target (nothing written yet);
//   2. stage: stream the message into tmp/ of every target, synced (all or nothing), and
//      compute its digest;
//   3. journal: under the message's lock, learn which maildirs already hold it (an earlier
//      attempt) and durably record the copies about to be published (src/journal/);
//   4. commit: publish into every new/ that lacks the message, and fsync it.
// Any failure before 3 removes every tmp file of this run: no target got a copy, so the MTA's
// retry cannot duplicate. From 3 on, the tmp copies belong to the journal: a failure or a crash
// leaves them for the retry (or any later run) to publish, and nothing is published twice.
// Failures come back as values (Outcome); nothing here exits.
import type { Settings, Target } from '../config/types';
import { IntentError, type Journal, type JournalEntry } from '../journal/journal';
import { digestSink } from '../journal/digest';
import type { FileSystem } from '../maildir/file-system';
import { maildirLayout } from '../maildir/layout';
import type { NameSource } from '../maildir/name-source';
import { precheckMaildir, type MaildirFacts } from '../maildir/precheck';
import type { TmpRegistry } from '../maildir/tmp-registry';
import { errnoOf } from '../outcome/errno';
import { FailureError, ok, permanent, temporary, type Failure, type Outcome } from '../outcome/outcome';
import { headerScan } from '../message/header-scan';
import type { TraceHeaders } from '../mta/trace-headers';
import { ioFailure } from '../outcome/io-failure';
import { commitCopies, type DeliveredCopy } from './commit';
import { sameMaildirFailure } from './distinct';
import { planCopies } from './plan';
import { routeStep } from './route-step';
import { stageCopies, type StagedCopy } from './stage';
import { handleUnmatched } from './unmatched';
import type { RoutePlan } from '../route/route';

export interface DeliveryDeps {
  readonly fs: FileSystem;
  readonly names: NameSource;
  readonly registry: TmpRegistry;
  readonly egid: number;
  /** Brackets the commit phase, during which signals and the deadline wait (runtime/guard). */
  readonly committing: { enter(): void; leave(): void };
  /** The exactly-once journal; undefined when it is turned off. */
  readonly journal?: Journal | undefined;
  /**
   * Asked once the whole message has been read: has the process that fed it to us gone? Then
   * the end of input may be its death, not the end of the message, and nobody reads our exit
   * status: the MTA retries the whole message later (src/cli.ts says when this is asked).
   */
  readonly writerGone?: () => string | undefined;
}

export interface DeliveryResult {
  readonly outcome: Outcome;
  /** Copies published by this run. */
  readonly delivered: readonly DeliveredCopy[];
  /** Targets that already held the message (an earlier attempt delivered there). */
  readonly skipped: readonly string[];
  /** Message size as delivered, when it was read. */
  readonly bytes?: number;
  /** SHA-256 of the message as delivered, when it was read. */
  readonly digest?: string;
  /** Its Message-ID header, when it has one. */
  readonly messageId?: string | undefined;
  /** How `match` rules routed it; undefined when no target has a rule. */
  readonly route?: RoutePlan | undefined;
  /** No rule matched and `unmatched` is "discard": nothing was delivered, on purpose. */
  readonly discarded?: boolean;
}

/** No trace headers: what deliver() adds when the caller asks for none. */
export const NO_TRACE: TraceHeaders = { text: '', deliveredTo: undefined };

export async function deliver(
  allTargets: readonly Target[],
  settings: Settings,
  message: AsyncIterable<Buffer | string>,
  deps: DeliveryDeps,
  trace: TraceHeaders = NO_TRACE,
): Promise<DeliveryResult> {
  let routed;
  try {
    routed = await routeStep(allTargets, settings.unmatched, message);
  } catch (error: unknown) {
    return { outcome: asFailure(error, 'reading the message header'), delivered: [], skipped: [] };
  }
  const { plan: route, input } = routed;
  if (route?.unmatched !== undefined) {
    const result = await handleUnmatched(route.unmatched, input, settings, trace);
    return { ...result, delivered: [], skipped: [], route };
  }
  const targets = route?.selected ?? allTargets;
  const delivery = await deliverTo(targets, settings, input, deps, trace);
  return { ...delivery, route };
}

/** Steps 1–4 into the chosen targets. */
async function deliverTo(
  targets: readonly Target[],
  settings: Settings,
  input: AsyncIterable<Buffer | string>,
  deps: DeliveryDeps,
  trace: TraceHeaders,
): Promise<DeliveryResult> {
  const layouts = targets.map((t) => maildirLayout(t.path));
  const checked = await precheckAll(targets, deps);
  if (!checked.ok) return { outcome: checked.failure, delivered: [], skipped: [] };
  // Finish what dead runs left half-published before adding to the maildirs (best effort:
  // another message's broken target is that message's problem).
  await deps.journal?.recoverOthers().catch(() => undefined);

  const methods = planCopies(targets, checked.facts, settings.hardLinks);
  const digest = digestSink();
  const header = headerScan(trace.deliveredTo);
  let staged;
  try {
    const prefix = Buffer.from(trace.text, 'utf8');
    staged = await stageCopies(
      targets,
      layouts,
      methods,
      input,
      settings.sizeLimit,
      deps,
      [digest, header],
      prefix,
    );
  } catch (error: unknown) {
    await deps.registry.removeAll();
    return { outcome: asFailure(error, 'staging the message'), delivered: [], skipped: [] };
  }
  const message = { bytes: staged.message.bytes, digest: digest.hex(), messageId: header.messageId };
  const gone = deps.writerGone?.();
  if (gone !== undefined) {
    // Delivering would put a message that may be cut short into every target, and the MTA's
    // retry would add the whole one beside it (docs/reliability.md, "The MTA dies mid-message").
    await deps.registry.removeAll();
    const text = `${gone} before the delivery was complete: the message may be cut short; not delivered`;
    return { outcome: temporary('4.3.0', text), delivered: [], skipped: [], ...message };
  }
  if (header.sawLine) {
    // qmail-local's bouncexf(): our own Delivered-To line is already in the header, so this
    // message has been here before and is going round in circles. X.4.6: routing loop.
    await deps.registry.removeAll();
    const text = `message is looping: it already has the line "${trace.deliveredTo ?? ''}"`;
    return { outcome: permanent('5.4.6', text), delivered: [], skipped: [], ...message };
  }

  let entry: JournalEntry | undefined;
  if (deps.journal !== undefined) {
    try {
      entry = await deps.journal.open(message.digest);
    } catch (error: unknown) {
      await deps.registry.removeAll();
      return { outcome: journalFailure(deps.journal, error), delivered: [], skipped: [], ...message };
    }
  }
  const already = entry?.delivered ?? new Set<string>();
  const fresh = staged.copies.filter((copy) => !already.has(copy.layout.root));
  const unneeded = staged.copies.filter((copy) => already.has(copy.layout.root));
  const skipped = unneeded.map((copy) => copy.target.name);

  // Copies for maildirs that already hold the message are not needed.
  for (const copy of unneeded) {
    await deps.fs.unlink(copy.tmpPath).catch(() => undefined);
    deps.registry.forget(copy.tmpPath);
  }

  const delivered: DeliveredCopy[] = [];
  deps.committing.enter();
  try {
    if (entry !== undefined && fresh.length > 0) {
      try {
        await entry.writeIntent(fresh.map(journalCopy));
      } catch (error: unknown) {
        const kept = error instanceof IntentError && error.recordMayExist;
        if (kept) for (const copy of fresh) deps.registry.forget(copy.tmpPath);
        await deps.registry.removeAll();
        const cause = error instanceof IntentError ? error.cause : error;
        const failure = journalFailure(deps.journal, cause);
        const text = kept ? `${failure.text}; the retry finishes the delivery` : failure.text;
        return { outcome: { ...failure, text }, delivered, skipped, ...message };
      }
      // Recorded: from now on these tmp files are the journal's, never removed on failure.
      for (const copy of fresh) deps.registry.forget(copy.tmpPath);
    }
    await commitCopies(fresh, deps, delivered);
    // Best effort: if this rename is lost, the next run finds the record pending, sees every
    // tmp file gone, and completes it; nothing is published twice.
    await entry?.complete().catch(() => undefined);
  } catch (error: unknown) {
    await deps.registry.removeAll();
    if (entry !== undefined) {
      // What is not in new/ now was not published by us: say so in the record, so that a copy
      // that then vanishes from tmp/ is redelivered by the retry instead of taken for published.
      const published = new Set(delivered.map((d) => d.target));
      const left = fresh.filter((copy) => !published.has(copy.target.name)).map((copy) => copy.layout.root);
      await entry.markUnpublished(left).catch(() => undefined);
    }
    const failure = asFailure(error, 'publishing the message');
    const where = [...skipped, ...delivered.map((d) => d.target)].join(', ');
    // With the journal, the record and the unpublished tmp copies stay: the retry finishes.
    const rest = entry === undefined ? '' : '; the retry finishes the delivery';
    const text =
      where === '' ? `${failure.text}${rest}` : `${failure.text}; already delivered to: ${where}${rest}`;
    return { outcome: { ...failure, text }, delivered, skipped, ...message };
  } finally {
    deps.committing.leave();
    await entry?.release().catch(() => undefined);
  }
  return { outcome: ok, delivered, skipped, ...message };
}

function journalCopy(copy: StagedCopy) {
  return {
    target: copy.target.name,
    maildir: copy.layout.root,
    tmp: copy.tmpPath,
    new: `${copy.layout.new}/${copy.name}`,
  };
}

/** The journal could not be used: temporary, with nothing delivered (DESIGN.md guarantee 3). */
function journalFailure(journal: Journal | undefined, error: unknown): Failure {
  const where = `journal ${journal?.layout.root ?? ''}`;
  if (errnoOf(error) === 'ELOCKED') {
    // X.4.5 "mail system congestion": another run of this same message holds its lock.
    return temporary('4.4.5', `${where}: another delivery of this message is still running (lock timeout)`);
  }
  return asFailure(error, where);
}

/** Checks every target in parallel; the first failure in target order wins. */
async function precheckAll(
  targets: readonly Target[],
  deps: DeliveryDeps,
): Promise<{ ok: true; facts: MaildirFacts[] } | { ok: false; failure: Failure }> {
  const results = await Promise.all(
    targets.map((target) =>
      precheckMaildir(deps.fs, maildirLayout(target.path), {
        create: target.create,
        egid: deps.egid,
        label: `target ${target.name}`,
      }),
    ),
  );
  const facts: MaildirFacts[] = [];
  for (const result of results) {
    if (!result.ok) return result;
    facts.push(result.facts);
  }
  const same = sameMaildirFailure(targets, facts);
  return same === undefined ? { ok: true, facts } : { ok: false, failure: same };
}

function asFailure(error: unknown, what: string): Failure {
  return error instanceof FailureError ? error.failure : ioFailure(what, error);
}
