// check --repair: finish interrupted deliveries (the journal's roll-forward, the same code a
// delivery runs), then remove stale files from tmp/. Which files: every regular file in tmp/
// older than the tmpAge threshold (36 h by default, the maildir spec's rule), ours or another
// writer's, except a file that a pending journal record still owns. Returns what it did.
import { promises as fsp } from 'node:fs';
import type { Journal } from '../journal/journal';
import { formatDuration } from './duration';
import type { JournalFacts } from './journal-facts';
import { errnoOf, messageOf } from '../outcome/errno';

export interface StaleFile {
  readonly target: string;
  readonly path: string;
  readonly mtimeMs: number;
}

export interface RepairSteps {
  readonly journal: Journal | undefined;
  /** The journal as it is now (undefined: no journal); throws when it cannot be read. */
  readJournal(): Promise<JournalFacts | undefined>;
  /** Files in tmp/ older than their target's tmpAge, listed when called. */
  listStale(): Promise<readonly StaleFile[]>;
  readonly now: () => number;
}

export async function repair(steps: RepairSteps): Promise<string[]> {
  const done: string[] = [];
  let before: JournalFacts | undefined;
  try {
    before = await steps.readJournal();
  } catch {
    // An old tmp file may be a pending record's copy: removing it would lose that message (the
    // roll-forward would take it for published). Without the journal, nothing is removed.
    return ['nothing removed from tmp/: the journal cannot be read, and old files there may be its copies'];
  }
  if (steps.journal !== undefined && before !== undefined && before.unfinished.length > 0) {
    await steps.journal.recoverOthers();
    const left = new Set(
      (await steps.readJournal().catch(() => before))?.unfinished.map((r) => r.digest) ?? [],
    );
    for (const record of before.unfinished) {
      const targets = (before.waiting.get(record.digest) ?? []).join(', ');
      done.push(
        left.has(record.digest)
          ? targets === ''
            ? `message ${record.digest.slice(0, 12)} is in every new/, but its record could not be moved to done/: check the permissions of ${before.root}`
            : `could not finish the interrupted delivery of message ${record.digest.slice(0, 12)} to ${targets}: see the findings below`
          : targets === ''
            ? `recorded the finished delivery of message ${record.digest.slice(0, 12)} as done`
            : `finished the interrupted delivery of message ${record.digest.slice(0, 12)} to ${targets}`,
      );
    }
  }
  // Listed only now: the roll-forward has just published (renamed away) some old tmp files.
  // Files a pending record of a live or a dead run still owns are the journal's, never ours.
  let owned: ReadonlySet<string>;
  try {
    owned = (await steps.readJournal())?.owned ?? new Set<string>();
  } catch {
    return [
      ...done,
      'nothing removed from tmp/: the journal cannot be read, and old files there may be its copies',
    ];
  }
  for (const file of await steps.listStale()) {
    if (owned.has(file.path)) continue;
    try {
      await fsp.unlink(file.path);
      done.push(
        `target ${file.target}: removed ${file.path} (${formatDuration((steps.now() - file.mtimeMs) / 1000)} old)`,
      );
    } catch (error: unknown) {
      if (errnoOf(error) === 'ENOENT') continue; // taken meanwhile: nothing left to do
      done.push(`target ${file.target}: could not remove ${file.path}: ${messageOf(error)}`);
    }
  }
  return done;
}
