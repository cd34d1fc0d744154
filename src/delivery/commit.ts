// Phase 2 of a delivery: publish every staged copy into its new/ (maildir step 6), then fsync
// each new/ so the entries survive a crash before we report success (DESIGN.md guarantee 1;
// without it a power loss can keep the unlink of tmp/ and lose the link in new/: marlam/mpop#8).
import { join } from 'node:path';
import type { FileSystem } from '../maildir/file-system';
import type { NameSource } from '../maildir/name-source';
import { publish } from '../maildir/publish';
import { FailureError, temporary } from '../outcome/outcome';
import type { TmpRegistry } from '../maildir/tmp-registry';
import { settleAll } from '../runtime/settle-all';
import type { StagedCopy } from './stage';
import { step } from './step';

export interface CommitDeps {
  readonly fs: FileSystem;
  readonly names: NameSource;
  readonly registry: TmpRegistry;
}

export interface DeliveredCopy {
  readonly target: string;
  /** Path of the file in new/. */
  readonly path: string;
}

/** Publishes the copies in target order; on failure, `published` says which targets have one. */
export async function commitCopies(
  copies: readonly StagedCopy[],
  deps: CommitDeps,
  published: DeliveredCopy[],
): Promise<void> {
  for (const copy of copies) {
    const what = `target ${copy.target.name}: moving ${copy.tmpPath} into ${copy.layout.new}`;
    const result = await step(what, () =>
      publish(deps.fs, deps.names, copy.tmpPath, copy.layout.new, copy.name),
    );
    deps.registry.forget(copy.tmpPath);
    // 'gone': only a recovery that broke our lock as stale could have published it. 'vanished':
    // our own fresh copy left tmp/ without reaching new/ (an operator, a clean-up, an unmounted
    // file system): not delivered, and the caller records it as unpublished.
    if (result.kind === 'vanished') {
      throw new FailureError(
        temporary('4.3.0', `${what}: the copy vanished from tmp/ before it was published`),
      );
    }
    const name = result.kind === 'published' ? result.name : copy.name;
    published.push({ target: copy.target.name, path: join(copy.layout.new, name) });
  }
  await settleAll(
    copies.map((copy) =>
      step(`target ${copy.target.name}: syncing ${copy.layout.new}`, () =>
        deps.fs.syncDirectory(copy.layout.new),
      ),
    ),
  );
}
