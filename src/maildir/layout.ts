// The three subdirectories of a maildir (maildir(5)): all on one file system.
import { join } from 'node:path';

export interface MaildirLayout {
  readonly root: string;
  readonly tmp: string;
  readonly new: string;
  readonly cur: string;
}

export function maildirLayout(root: string): MaildirLayout {
  return { root, tmp: join(root, 'tmp'), new: join(root, 'new'), cur: join(root, 'cur') };
}
