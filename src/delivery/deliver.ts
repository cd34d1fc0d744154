// A whole delivery, in the order of DESIGN.md's guarantees:
//   1. pre-check every target (nothing read, nothing written yet);
//   2. stage: stream the message into tmp/ of every target, synced (all or nothing);
//   3. commit: publish into every new/ and fsync it.
// Any failure before 3 removes every tmp file of this run: no target got a copy, so the MTA's
// retry cannot duplicate. Failures come back as values (Outcome); nothing here exits.
import type { Settings, Target } from '../config/types';
import type { FileSystem } from '../maildir/file-system';
import { maildirLayout } from '../maildir/layout';
import type { NameSource } from '../maildir/name-source';
import { precheckMaildir, type MaildirFacts } from '../maildir/precheck';
import type { TmpRegistry } from '../maildir/tmp-registry';
import { FailureError, ok, type Failure, type Outcome } from '../outcome/outcome';
import { ioFailure } from '../outcome/io-failure';
import { commitCopies, type DeliveredCopy } from './commit';
import { sameMaildirFailure } from './distinct';
import { planCopies } from './plan';
import { stageCopies } from './stage';

export interface DeliveryDeps {
  readonly fs: FileSystem;
  readonly names: NameSource;
  readonly registry: TmpRegistry;
  readonly egid: number;
  /** Brackets the commit phase, during which signals and the deadline wait (runtime/guard). */
  readonly committing: { enter(): void; leave(): void };
}

export interface DeliveryResult {
  readonly outcome: Outcome;
  readonly delivered: readonly DeliveredCopy[];
  /** Message size as delivered, when it was read. */
  readonly bytes?: number;
}

export async function deliver(
  targets: readonly Target[],
  settings: Settings,
  input: AsyncIterable<Buffer | string>,
  deps: DeliveryDeps,
): Promise<DeliveryResult> {
  const layouts = targets.map((t) => maildirLayout(t.path));
  const checked = await precheckAll(targets, deps);
  if (!checked.ok) return { outcome: checked.failure, delivered: [] };

  const methods = planCopies(targets, checked.facts, settings.hardLinks);
  let staged;
  try {
    staged = await stageCopies(targets, layouts, methods, input, settings.sizeLimit, deps);
  } catch (error: unknown) {
    await deps.registry.removeAll();
    return { outcome: asFailure(error, 'staging the message'), delivered: [] };
  }

  const delivered: DeliveredCopy[] = [];
  deps.committing.enter();
  try {
    await commitCopies(staged.copies, deps, delivered);
  } catch (error: unknown) {
    await deps.registry.removeAll();
    const failure = asFailure(error, 'publishing the message');
    const where = delivered.map((d) => d.target).join(', ');
    const text = where === '' ? failure.text : `${failure.text}; already delivered to: ${where}`;
    return { outcome: { ...failure, text }, delivered, bytes: staged.message.bytes };
  } finally {
    deps.committing.leave();
  }
  return { outcome: ok, delivered, bytes: staged.message.bytes };
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
