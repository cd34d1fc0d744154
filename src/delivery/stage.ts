// Phase 1 of a delivery (DESIGN.md guarantee 2): every target gets a complete, synced copy in
// its tmp/ before any target is published. Writers receive the streamed message; other targets
// on the same file system get a hard link to a writer's synced file, or a copy where linking
// is refused.
import type { Target } from '../config/types';
import type { FileSystem } from '../maildir/file-system';
import type { MaildirLayout } from '../maildir/layout';
import type { NameSource } from '../maildir/name-source';
import { createTmpFile, type TmpFile } from '../maildir/tmp-file';
import type { TmpRegistry } from '../maildir/tmp-registry';
import { pumpMessage, type MessageSink, type PumpResult } from '../message/pump';
import { errnoOf } from '../outcome/errno';
import { settleAll } from '../runtime/settle-all';
import type { CopyMethod } from './plan';
import { step } from './step';

export interface StageDeps {
  readonly fs: FileSystem;
  readonly names: NameSource;
  readonly registry: TmpRegistry;
}

export interface StagedCopy {
  readonly target: Target;
  readonly layout: MaildirLayout;
  readonly name: string;
  readonly tmpPath: string;
}

/** link(2) errors that mean "not here": copy instead (a different file system, FAT, AFS…). */
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);
const COPY_CHUNK = 256 * 1024;

export async function stageCopies(
  targets: readonly Target[],
  layouts: readonly MaildirLayout[],
  methods: readonly CopyMethod[],
  input: AsyncIterable<Buffer | string>,
  sizeLimit: number,
  deps: StageDeps,
  observers: readonly MessageSink[] = [],
  prefix: Buffer = Buffer.alloc(0),
): Promise<{ copies: StagedCopy[]; message: PumpResult }> {
  const at = (index: number) => ({
    target: targets[index] as Target,
    layout: layouts[index] as MaildirLayout,
  });
  const writerIndexes = methods.flatMap((m, index) => (m.kind === 'write' ? [index] : []));

  // Maildir steps 2–4: a fresh exclusive file in each writer's tmp/.
  const opened = await settleAll(
    writerIndexes.map((index) => {
      const { target, layout } = at(index);
      return step(`target ${target.name}: creating a file in ${layout.tmp}`, () =>
        createTmpFile(deps.fs, deps.names, deps.registry, layout.tmp, target.mode),
      );
    }),
  );
  const files = new Map<number, TmpFile>(writerIndexes.map((index, i) => [index, opened[i] as TmpFile]));

  // Step 5, "NFS-writing": every write checked, then fsync and close, both checked.
  const sinks = [...files].map(([index, tmp]) => ({
    write: (chunk: Buffer) =>
      step(`target ${at(index).target.name}: writing ${tmp.path}`, () => tmp.file.writeAll(chunk)),
  }));
  // Trace headers (from the environment, never from the message) go first, into the files only:
  // the digest and the header scan see the message as the MTA gave it.
  if (prefix.length > 0) await settleAll(sinks.map((sink) => sink.write(prefix)));
  const message = await pumpMessage(input, [...sinks, ...observers], sizeLimit);
  await settleAll(
    [...files].map(([index, tmp]) =>
      step(`target ${at(index).target.name}: syncing ${tmp.path}`, async () => {
        await tmp.file.sync();
        await tmp.file.close();
      }),
    ),
  );

  const copies: StagedCopy[] = [];
  for (const [index, method] of methods.entries()) {
    const { target, layout } = at(index);
    if (method.kind === 'write') {
      const tmp = files.get(index) as TmpFile;
      copies.push({ target, layout, name: tmp.name, tmpPath: tmp.path });
    } else {
      const source = files.get(method.from) as TmpFile;
      const copy = await step(`target ${target.name}: linking ${source.path} into ${layout.tmp}`, () =>
        linkOrCopy(deps, source.path, layout.tmp, target.mode),
      );
      copies.push({ target, layout, name: copy.name, tmpPath: copy.path });
    }
  }
  return { copies, message };
}

/** A second tmp entry for the same synced file, or a synced copy where links are refused. */
async function linkOrCopy(
  deps: StageDeps,
  sourcePath: string,
  tmpDir: string,
  mode: number,
): Promise<{ name: string; path: string }> {
  for (;;) {
    const name = deps.names.next();
    const path = `${tmpDir}/${name}`;
    deps.registry.add(path);
    try {
      await deps.fs.link(sourcePath, path);
      return { name, path };
    } catch (error: unknown) {
      deps.registry.forget(path);
      const errno = errnoOf(error);
      if (errno === 'EEXIST') continue; // a name collision: astronomically rare, take another
      if (errno !== undefined && CANNOT_LINK.has(errno)) return copyFile(deps, sourcePath, tmpDir, mode);
      throw error;
    }
  }
}

async function copyFile(
  deps: StageDeps,
  sourcePath: string,
  tmpDir: string,
  mode: number,
): Promise<{ name: string; path: string }> {
  const tmp = await createTmpFile(deps.fs, deps.names, deps.registry, tmpDir, mode);
  const source = await deps.fs.openForReading(sourcePath);
  try {
    const buffer = Buffer.allocUnsafe(COPY_CHUNK);
    for (let position = 0; ;) {
      const count = await source.read(buffer, position);
      if (count === 0) break;
      await tmp.file.writeAll(buffer.subarray(0, count));
      position += count;
    }
  } finally {
    await source.close();
  }
  await tmp.file.sync();
  await tmp.file.close();
  return { name: tmp.name, path: tmp.path };
}
