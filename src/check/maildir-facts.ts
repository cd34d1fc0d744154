// What the self-check reads from one target maildir: the same pre-check a delivery makes, a
// probe write, the file system's free space and inodes, and the age and size of what sits in
// tmp/, new/ and cur/. Reading only, apart from the probe file (created, synced, removed).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../config/types';
import type { FileSystem } from '../maildir/file-system';
import { maildirLayout } from '../maildir/layout';
import type { NameSource } from '../maildir/name-source';
import { precheckMaildir } from '../maildir/precheck';
import { lstatOrUndefined } from './quick-stat';
import { ioFailure } from '../outcome/io-failure';
import type { Failure } from '../outcome/outcome';

export interface FolderFacts {
  readonly count: number;
  readonly bytes: number;
  /** mtime (ms) of the oldest regular file, or undefined when there is none. */
  readonly oldest: number | undefined;
  /** Regular files older than a given time: [path, mtime ms]. */
  readonly older: readonly (readonly [string, number])[];
}

export interface SpaceFacts {
  readonly freeBytes: number;
  readonly totalBytes: number;
  readonly freeInodes: number;
  readonly totalInodes: number;
}

export type MaildirFacts =
  | { readonly kind: 'broken'; readonly failure: Failure }
  | { readonly kind: 'missing-will-create'; readonly failure: Failure }
  | {
      readonly kind: 'ready';
      readonly probe: Failure | undefined;
      readonly space: SpaceFacts | Failure;
      readonly tmp: FolderFacts | Failure;
      readonly new: FolderFacts | Failure;
      readonly cur: FolderFacts | Failure;
    };

export interface FactDeps {
  readonly fs: FileSystem;
  readonly names: NameSource;
  readonly egid: number;
  readonly now: () => number;
}

export async function maildirFacts(
  target: Target,
  tmpAgeSeconds: number | undefined,
  deps: FactDeps,
): Promise<MaildirFacts> {
  const layout = maildirLayout(target.path);
  const label = `target ${target.name}`;
  const checked = await precheckMaildir(deps.fs, layout, { create: false, egid: deps.egid, label });
  if (!checked.ok) {
    // 4.2.1: missing. With "create", the next delivery makes it: not broken, but worth a word.
    const willCreate = target.create && checked.failure.status === '4.2.1';
    return { kind: willCreate ? 'missing-will-create' : 'broken', failure: checked.failure };
  }
  const staleBefore = tmpAgeSeconds === undefined ? -Infinity : deps.now() - tmpAgeSeconds * 1000;
  // The probe first: its file must not be counted in tmp/.
  const probe = await probeWrite(layout.tmp, target, deps);
  const [space, tmp, fresh, cur] = await Promise.all([
    spaceOf(layout.new, label),
    folderFacts(layout.tmp, staleBefore, label),
    folderFacts(layout.new, -Infinity, label),
    folderFacts(layout.cur, -Infinity, label),
  ]);
  return { kind: 'ready', probe, space, tmp, new: fresh, cur };
}

/** Create, write, fsync, close and remove a file in tmp/: what a delivery does first. */
async function probeWrite(tmpDir: string, target: Target, deps: FactDeps): Promise<Failure | undefined> {
  const path = join(tmpDir, deps.names.next());
  let created = false;
  try {
    const file = await deps.fs.createExclusive(path, target.mode);
    created = true;
    try {
      await file.writeAll(Buffer.from('maildir-fanout check: probe\n'));
      await file.sync();
    } finally {
      await file.close();
    }
    return undefined;
  } catch (error: unknown) {
    return ioFailure(`target ${target.name}: probe write in ${tmpDir}`, error);
  } finally {
    if (created) await deps.fs.unlink(path).catch(() => undefined);
  }
}

async function spaceOf(path: string, label: string): Promise<SpaceFacts | Failure> {
  try {
    const s = await fsp.statfs(path);
    return {
      // bavail, not bfree: what an unprivileged user (the recipient) can still write.
      freeBytes: s.bavail * s.bsize,
      totalBytes: s.blocks * s.bsize,
      freeInodes: s.ffree,
      totalInodes: s.files,
    };
  } catch (error: unknown) {
    return ioFailure(`${label}: statfs ${path}`, error);
  }
}

async function folderFacts(dir: string, olderThan: number, label: string): Promise<FolderFacts | Failure> {
  try {
    let count = 0;
    let bytes = 0;
    let oldest: number | undefined;
    const older: [string, number][] = [];
    for (const name of await fsp.readdir(dir)) {
      const path = `${dir}/${name}`; // not join(): dir is normalized, and join() costs per file
      const stats = lstatOrUndefined(path); // undefined: gone meanwhile, a consumer took it
      if (stats === undefined || !stats.isFile()) continue;
      count++;
      bytes += stats.size;
      if (oldest === undefined || stats.mtimeMs < oldest) oldest = stats.mtimeMs;
      if (stats.mtimeMs < olderThan) older.push([path, stats.mtimeMs]);
    }
    return { count, bytes, oldest, older };
  } catch (error: unknown) {
    return ioFailure(`${label}: reading ${dir}`, error);
  }
}
