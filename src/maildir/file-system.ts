// The handful of file-system calls that delivery makes, behind one interface (STYLE.md §5), so
// that unit tests can force EEXIST, ENOSPC, EXDEV or a crash between any two steps. The real
// implementation is `nodeFileSystem`; integration tests use it with strace fault injection.
import { constants, promises as fsp, unlinkSync, type Stats } from 'node:fs';
import { makeFolders } from './make-folders';

export interface WritableFile {
  /** Writes all of `data`, looping over short writes (maildir(5): "check the byte count"). */
  writeAll(data: Uint8Array): Promise<void>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface ReadableFile {
  /** Reads up to buffer.length bytes at `position`; 0 means end of file. */
  read(buffer: Buffer, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface FileSystem {
  /** open(O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW): never reuses a name, never follows a symlink. */
  createExclusive(path: string, mode: number): Promise<WritableFile>;
  openForReading(path: string): Promise<ReadableFile>;
  link(existing: string, created: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** For the signal path, where there is no time to wait for the event loop. */
  unlinkNow(path: string): void;
  stat(path: string): Promise<Stats>;
  lstat(path: string): Promise<Stats>;
  /** access(2) with W_OK|X_OK: can this user create entries in the directory? */
  canWriteDirectory(path: string): Promise<void>;
  /** mkdir -p with `mode` for every directory it creates. */
  mkdir(path: string, mode: number): Promise<void>;
  /** fsync(2) of a directory, so that the entries created in it survive a crash. */
  syncDirectory(path: string): Promise<void>;
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export const nodeFileSystem: FileSystem = {
  async createExclusive(path, mode) {
    const handle = await fsp.open(path, CREATE_FLAGS, mode);
    return {
      async writeAll(data) {
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          // A zero-byte write would loop forever; the kernel reports errors instead, but be sure.
          if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
          offset += bytesWritten;
        }
      },
      chmod: (m) => handle.chmod(m),
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  async openForReading(path) {
    const handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    return {
      read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
      close: () => handle.close(),
    };
  },
  link: (existing, created) => fsp.link(existing, created),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  unlinkNow: (path) => unlinkSync(path),
  stat: (path) => fsp.stat(path),
  lstat: (path) => fsp.lstat(path),
  canWriteDirectory: (path) => fsp.access(path, constants.W_OK | constants.X_OK),
  mkdir: (path, mode) => makeFolders(path, mode),
  async syncDirectory(path) {
    const handle = await fsp.open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
