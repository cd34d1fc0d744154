// What the self-check reads from the exactly-once journal: interrupted deliveries (a pending
// record whose process is gone: its copies wait in tmp/, unseen by consumers, until the next
// delivery or --repair finishes them), records moved aside as corrupt, and the folder's size.
import { promises as fsp } from 'node:fs';
import { lstatOrUndefined } from './quick-stat';
import { join } from 'node:path';
import { digestOfRecordName, type JournalLayout } from '../journal/layout';
import { parseRecord, type JournalRecord } from '../journal/record';
import { errnoOf } from '../outcome/errno';

export interface JournalFacts {
  readonly root: string;
  /** Pending records of runs that are no longer running. */
  readonly unfinished: readonly JournalRecord[];
  /** Per unfinished record (by digest): the targets whose copy still waits in tmp/. */
  readonly waiting: ReadonlyMap<string, readonly string[]>;
  /** tmp/ files of every pending record, live or dead: the journal's, never stale. */
  readonly owned: ReadonlySet<string>;
  /** Pending records of runs still in progress. */
  readonly inProgress: number;
  readonly done: number;
  readonly corrupt: number;
  readonly bytes: number;
}

/** A pending record older than this belongs to no live delivery, whatever its pid says: every
 *  delivery gives up after its timeout (at most 86400 s, the schema's bound). */
const NO_DELIVERY_LASTS_MS = 86_400_000 + 60_000;

export async function journalFacts(
  layout: JournalLayout,
  isAlive: (pid: number) => boolean,
  now: number,
): Promise<JournalFacts> {
  const list = async (dir: string): Promise<string[]> => {
    try {
      return await fsp.readdir(dir);
    } catch (error: unknown) {
      if (errnoOf(error) === 'ENOENT') return []; // no delivery has used the journal yet
      throw error;
    }
  };
  const unfinished: JournalRecord[] = [];
  const waiting = new Map<string, string[]>();
  const owned = new Set<string>();
  let inProgress = 0;
  let bytes = 0;
  for (const name of await list(layout.pending)) {
    const path = join(layout.pending, name);
    const text = await fsp.readFile(path, 'utf8').catch(() => undefined);
    const digest = digestOfRecordName(name);
    if (text === undefined || digest === undefined) continue;
    bytes += Buffer.byteLength(text);
    const record = parseRecord(text, digest);
    if (record === undefined) continue;
    for (const copy of record.copies) owned.add(copy.tmp);
    const age = now - Date.parse(record.created);
    if (isAlive(record.pid) && age < NO_DELIVERY_LASTS_MS) {
      inProgress++;
      continue;
    }
    unfinished.push(record);
    // A tmp file still there is a copy not yet published (publishing is a rename).
    waiting.set(
      record.digest,
      record.copies.filter((c) => lstatOrUndefined(c.tmp) !== undefined).map((c) => c.target),
    );
  }
  const sizeOf = async (dir: string): Promise<number> => {
    let total = 0;
    for (const name of await list(dir)) total += lstatOrUndefined(`${dir}/${name}`)?.size ?? 0;
    return total;
  };
  const done = await list(layout.done);
  const corrupt = await list(layout.corrupt);
  bytes += (await sizeOf(layout.done)) + (await sizeOf(layout.corrupt));
  return {
    root: layout.root,
    unfinished,
    waiting,
    owned,
    inProgress,
    done: done.length,
    corrupt: corrupt.length,
    bytes,
  };
}

/** kill(pid, 0): a process exists (EPERM: it does, as another user). Pids are of this host:
 *  the journal is per host (src/journal/layout.ts). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return errnoOf(error) === 'EPERM';
  }
}
