// Phase 2 of a delivery: publish every staged copy into its new/ (maildir step 6), then fsync
// each new/ so the entries survive a crash before we report success (DESIGN.md guarantee 1;
// without it a power loss can keep the unlink of tmp/ and lose the link in new/: marlam/mpop#8).
import { join } from 'node:path';
import type { FileSystem } from '../maildir/file-system';
import type { NameSource } from '../maildir/name-source';
import { publish } from '../maildir/publish';
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
    const result = await step(
      `target ${copy.target.name}: moving ${copy.tmpPath} into ${copy.layout.new}`,
      () => publish(deps.fs, deps.names, copy.tmpPath, copy.layout.new, copy.name),
    );
    deps.registry.forget(copy.tmpPath);
    // 'gone': a recovering run published this very file first; it is delivered either way.
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
