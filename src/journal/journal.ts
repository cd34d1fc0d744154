// The delivery journal (DESIGN.md guarantee 3): what makes a delivery exactly-once across MTA
// retries and crashes. For each message (by digest) it records, durably and before the first
// publish, which synced tmp copies are about to be published where; completion moves the record
// from pending/ to done/, where it stays for `keepDays` so that a retry of the same message
// publishes only to maildirs that lack it. Records of dead runs are rolled forward.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { nodeFileSystem, type FileSystem } from '../maildir/file-system';
import type { NameSource } from '../maildir/name-source';
import { errnoOf } from '../outcome/errno';
import { digestOfRecordName, journalLayout, recordName, type JournalLayout } from './layout';
import { lockMessage, lockMessageNow, type HeldLock } from './lock';
import { maildirsOf, parseRecord, serializeRecord, type JournalCopy, type JournalRecord } from './record';
import { rollForward } from './recover';
import { writeRecordFile } from './write-record';
import { pruneJournal } from './prune';
import { makeFolders } from '../maildir/make-folders';

export interface JournalOptions {
  readonly stateDir: string;
  readonly keepDays: number;
  readonly host: string;
  readonly pid: number;
  readonly now: () => number;
  readonly fs: FileSystem;
  readonly names: NameSource;
}

/** One message's journal entry, held under its lock from lookup to release. */
export interface JournalEntry {
  /** Maildirs (absolute paths) that already hold this message. */
  readonly delivered: ReadonlySet<string>;
  /**
   * Durably records the copies about to be published; after this they belong to the journal.
   * On failure it throws an IntentError that says whether a record may exist on disk.
   */
  writeIntent(copies: readonly JournalCopy[]): Promise<void>;
  /**
   * After a failed publish: records that these maildirs' copies were not published, so that a
   * recovery that finds one gone from tmp/ knows it was lost, not published (record.ts).
   */
  markUnpublished(maildirs: readonly string[]): Promise<void>;
  /** Marks the delivery complete (no fsync needed: a lost rename is redone by recovery). */
  complete(): Promise<void>;
  release(): Promise<void>;
}

/**
 * The intent record could not be written durably. `recordMayExist`: the record reached
 * pending/ but syncing the folder failed. Its tmp copies must then stay: if the record survives
 * (now or after a crash), recovery takes a missing tmp file for a published one, and removing
 * them would lose the message. Left in place, the worst case is an orphan tmp file.
 */
export class IntentError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly recordMayExist: boolean,
  ) {
    super('writing the intent record failed');
  }
}

export interface Journal {
  readonly layout: JournalLayout;
  /** Takes the message's lock, finishes an interrupted delivery of it, and reads its record. */
  open(digest: string): Promise<JournalEntry>;
  /** Read-only look at a message's records, for --dry-run: no lock, nothing written. */
  peek(digest: string): Promise<{ delivered: ReadonlySet<string>; pending: boolean }>;
  /** Best effort: rolls forward other messages' records left by dead runs; prunes old records. */
  recoverOthers(exceptDigest?: string): Promise<void>;
}

export function openJournal(options: JournalOptions): Journal {
  const layout = journalLayout(options.stateDir, options.host);
  const { fs, names } = options;
  const pendingPath = (digest: string): string => join(layout.pending, recordName(digest));
  const donePath = (digest: string): string => join(layout.done, recordName(digest));

  /** Digits that make a temporary record name unique: pid, clock, and a count within the run. */
  let writes = 0;
  const tempSuffix = (): string => `${options.pid}${Math.floor(options.now())}${writes++}`;

  let ready: Promise<void> | undefined;
  const ensureFolders = (): Promise<void> =>
    (ready ??= (async () => {
      for (const dir of [layout.pending, layout.done, layout.locks, layout.corrupt]) {
        await makeFolders(dir, 0o700);
      }
    })());

  /** The record at `path`, undefined if absent; an unreadable one is moved to corrupt/. */
  async function readRecord(path: string, digest: string): Promise<JournalRecord | undefined> {
    const text = await readIfPresent(path);
    if (text === undefined) return undefined;
    const record = parseRecord(text, digest);
    if (record === undefined) {
      // A truncated or garbage record cannot say where the message is. Keep it for the
      // operator (maildir-fanout check reports corrupt/) and go on as if it were absent:
      // at worst a duplicate, never a loss.
      await fsp.rename(path, join(layout.corrupt, `${recordName(digest)}.${String(options.now())}`));
    }
    return record;
  }

  /** Finishes a pending delivery of `digest` (under its lock) and moves the record to done/. */
  async function finishPending(digest: string): Promise<void> {
    const record = await readRecord(pendingPath(digest), digest);
    if (record === undefined) return;
    const lost = await rollForward(fs, names, record);
    if (lost.length > (record.lost?.length ?? 0)) {
      // The done record must not count a lost copy as delivered: the retry delivers it anew.
      await rewrite(digest, { ...record, lost });
    }
    await fsp.rename(pendingPath(digest), donePath(digest));
  }

  /** Replaces the pending record of `digest` whole (write-record.ts), durably. */
  async function rewrite(digest: string, record: JournalRecord): Promise<void> {
    await writeRecordFile(nodeFileSystem, pendingPath(digest), serializeRecord(record), tempSuffix());
    await fs.syncDirectory(layout.pending);
  }

  return {
    layout,
    async open(digest) {
      await ensureFolders();
      const lock: HeldLock = await lockMessage(layout.locks, digest);
      try {
        await finishPending(digest);
        const done = await readRecord(donePath(digest), digest);
        const delivered: ReadonlySet<string> = done === undefined ? new Set() : maildirsOf(done);
        let intent: JournalRecord | undefined;
        return {
          delivered,
          async writeIntent(copies) {
            const record: JournalRecord = (intent = {
              version: 1,
              digest,
              host: options.host,
              pid: options.pid,
              created: new Date(options.now()).toISOString(),
              delivered: [...delivered],
              copies,
            });
            try {
              // Records live on the real file system, like every other journal file here; only
              // the maildir calls and the fsync of pending/ go through the injected `fs`.
              await writeRecordFile(
                nodeFileSystem,
                pendingPath(digest),
                serializeRecord(record),
                tempSuffix(),
              );
            } catch (error: unknown) {
              throw new IntentError(error, false);
            }
            try {
              await fs.syncDirectory(layout.pending);
            } catch (error: unknown) {
              throw new IntentError(error, true);
            }
          },
          async markUnpublished(maildirs) {
            if (intent === undefined || maildirs.length === 0) return;
            await rewrite(digest, { ...intent, unpublished: [...maildirs] });
          },
          complete: () => fsp.rename(pendingPath(digest), donePath(digest)),
          release: () => lock.release(),
        };
      } catch (error: unknown) {
        await lock.release().catch(() => undefined);
        throw error;
      }
    },
    async peek(digest) {
      // Unlike readRecord, a garbage record is left where it is: a dry run writes nothing.
      const read = async (path: string): Promise<JournalRecord | undefined> => {
        const text = await readIfPresent(path);
        return text === undefined ? undefined : parseRecord(text, digest);
      };
      const [pending, done] = await Promise.all([read(pendingPath(digest)), read(donePath(digest))]);
      // A pending record is finished before anything else, so its copies count as delivered.
      const delivered = new Set([
        ...(done === undefined ? [] : maildirsOf(done)),
        ...(pending === undefined ? [] : maildirsOf(pending)),
      ]);
      return { delivered, pending: pending !== undefined };
    },
    async recoverOthers(exceptDigest) {
      await ensureFolders();
      for (const name of await fsp.readdir(layout.pending)) {
        const digest = digestOfRecordName(name);
        if (digest === undefined || digest === exceptDigest) continue;
        const lock = await lockMessageNow(layout.locks, digest).catch(() => undefined);
        if (lock === undefined) continue; // in progress, or not ours to judge now
        try {
          await finishPending(digest);
        } catch {
          // Another message's target is broken: its own retry reports that; ours goes on.
        } finally {
          await lock.release().catch(() => undefined);
        }
      }
      await pruneJournal(layout, options.keepDays, options.now).catch(() => undefined);
    },
  };
}

/** The file's text, or undefined if it does not exist. */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (error: unknown) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}
