// Which targets get the message written into them, and which get a hard link to another
// target's file. Pure. A link is only safe where the file it shares would be identical in
// every respect a consumer sees: same file system (a link cannot cross one), same mode, same
// group (the inode is shared, so a per-target mode or group cannot differ).
import type { Target } from '../config/types';
import type { MaildirFacts } from '../maildir/precheck';

export type CopyMethod = { readonly kind: 'write' } | { readonly kind: 'link'; readonly from: number };

export function planCopies(
  targets: readonly Target[],
  facts: readonly (MaildirFacts | undefined)[],
  hardLinks: boolean,
): CopyMethod[] {
  const writerFor = new Map<string, number>();
  return targets.map((target, index) => {
    const fact = facts[index];
    if (!hardLinks || fact === undefined) return { kind: 'write' };
    const key = `${fact.tmpDev}:${target.mode}:${fact.fileGroup}`;
    const writer = writerFor.get(key);
    if (writer === undefined) {
      writerFor.set(key, index);
      return { kind: 'write' };
    }
    return { kind: 'link', from: writer };
  });
}
