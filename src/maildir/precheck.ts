// Cheap checks that run before the message is read (issue #2): a target that cannot take the
// message fails the whole delivery before any byte is written anywhere. They also gather the
// facts that decide whether one written file can be hard-linked into another target.
import { dirname } from 'node:path';
import { errnoOf } from '../outcome/errno';
import { ioFailure } from '../outcome/io-failure';
import { temporary, type Failure } from '../outcome/outcome';
import type { FileSystem } from './file-system';
import type { MaildirLayout } from './layout';

/** What delivery needs to know about a maildir that passed the checks. */
export interface MaildirFacts {
  readonly rootDev: number;
  readonly rootIno: number;
  /** Device of tmp/ (= new/): files can only be hard-linked within one file system. */
  readonly tmpDev: number;
  /** Group a new file in tmp/ gets: the directory's if it is set-group-ID, else ours. */
  readonly fileGroup: number;
}

export type PrecheckResult =
  { readonly ok: true; readonly facts: MaildirFacts } | { readonly ok: false; readonly failure: Failure };

/** Mode for maildirs we create: private, as qmail's maildirmake and Dovecot do. */
const NEW_MAILDIR_MODE = 0o700;
const S_ISGID = 0o2000;

export async function precheckMaildir(
  fs: FileSystem,
  layout: MaildirLayout,
  options: { readonly create: boolean; readonly egid: number; readonly label: string },
): Promise<PrecheckResult> {
  const fail = (failure: Failure): PrecheckResult => ({ ok: false, failure });
  const { label } = options;
  try {
    if (options.create) await createMissing(fs, layout);
    const root = await statOrUndefined(fs, layout.root);
    if (root === undefined) {
      return fail(temporary('4.2.1', `${label}: maildir ${layout.root} does not exist`));
    }
    if (!root.isDirectory()) {
      return fail(temporary('4.2.1', `${label}: ${layout.root} is not a directory`));
    }
    const subdirs = [layout.tmp, layout.new, layout.cur];
    const stats = await Promise.all(subdirs.map((dir) => statOrUndefined(fs, dir)));
    for (const [index, stat] of stats.entries()) {
      if (stat === undefined || !stat.isDirectory()) {
        const missing = subdirs[index] ?? '';
        return fail(temporary('4.2.1', `${label}: not a maildir: ${missing} is missing or not a directory`));
      }
    }
    const [tmp, nw] = stats as [NonNullable<(typeof stats)[0]>, NonNullable<(typeof stats)[0]>];
    for (const dir of [layout.tmp, layout.new]) {
      try {
        await fs.canWriteDirectory(dir);
      } catch (error: unknown) {
        return fail(ioFailure(`${label}: cannot create files in ${dir}`, error));
      }
    }
    // maildir(5): tmp/ and new/ must be on one file system, or step 6 cannot work.
    if (tmp.dev !== nw.dev) {
      return fail(
        temporary('4.3.5', `${label}: ${layout.tmp} and ${layout.new} are on different file systems`),
      );
    }
    const fileGroup = (tmp.mode & S_ISGID) !== 0 ? tmp.gid : options.egid;
    return { ok: true, facts: { rootDev: root.dev, rootIno: root.ino, tmpDev: tmp.dev, fileGroup } };
  } catch (error: unknown) {
    return fail(ioFailure(`${label}: checking maildir ${layout.root}`, error));
  }
}

async function statOrUndefined(fs: FileSystem, path: string) {
  try {
    return await fs.stat(path);
  } catch (error: unknown) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** `create: true`: make the maildir and its parents (mkdir -p), then sync so they survive. */
async function createMissing(fs: FileSystem, layout: MaildirLayout): Promise<void> {
  let created = false;
  for (const dir of [layout.root, layout.tmp, layout.new, layout.cur]) {
    if ((await statOrUndefined(fs, dir)) === undefined) {
      await fs.mkdir(dir, NEW_MAILDIR_MODE);
      created = true;
    }
  }
  if (created) {
    await fs.syncDirectory(layout.root);
    await fs.syncDirectory(dirname(layout.root));
  }
}
