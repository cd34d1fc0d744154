// The tmp files this run has created and not yet published: what every exit path must remove
// (DESIGN.md guarantee 6). Signal handlers use removeAllNow(), which is synchronous.
import { errnoOf } from '../outcome/errno';
import type { FileSystem } from './file-system';

export interface TmpRegistry {
  add(path: string): void;
  forget(path: string): void;
  /** Removes every registered file; errors other than "already gone" are returned, not thrown. */
  removeAll(): Promise<unknown[]>;
  /** The same, synchronously, for signal handlers and the deadline. */
  removeAllNow(): unknown[];
  readonly size: number;
}

export function tmpRegistry(fs: FileSystem): TmpRegistry {
  const paths = new Set<string>();
  const gone = (error: unknown): boolean => errnoOf(error) === 'ENOENT';
  return {
    add: (path) => void paths.add(path),
    forget: (path) => void paths.delete(path),
    async removeAll() {
      const errors: unknown[] = [];
      for (const path of [...paths]) {
        try {
          await fs.unlink(path);
        } catch (error: unknown) {
          if (!gone(error)) errors.push(error);
        }
        paths.delete(path);
      }
      return errors;
    },
    removeAllNow() {
      const errors: unknown[] = [];
      for (const path of [...paths]) {
        try {
          fs.unlinkNow(path);
        } catch (error: unknown) {
          if (!gone(error)) errors.push(error);
        }
        paths.delete(path);
      }
      return errors;
    },
    get size() {
      return paths.size;
    },
  };
}
