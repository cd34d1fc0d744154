// An in-memory FileSystem (src/maildir/file-system.ts) for unit tests: directories and files
// with device and inode numbers, hard links that share an inode, a log of every call, and
// injectable errors (`code` 'EEXIST', 'ENOSPC', 'EXDEV', 'EPERM'…) on any operation and path.
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { FileSystem, ReadableFile, WritableFile } from '../../../src/maildir/file-system';

/** Every call the fake can fail: the FileSystem methods and those of the files it returns. */
export type Operation = keyof FileSystem | 'writeAll' | 'chmod' | 'sync' | 'close' | 'read';

export interface FaultOptions {
  /** Only calls on this path (for link and rename: the created / destination path). */
  readonly path?: string;
  /** How many matching calls fail; default 1. */
  readonly times?: number;
  /** Perform the operation, then report the error (a lost NFS reply). */
  readonly afterEffect?: boolean;
}

interface Fault {
  readonly op: Operation;
  readonly code: string;
  readonly path: string | undefined;
  readonly afterEffect: boolean;
  remaining: number;
}

interface Inode {
  readonly ino: number;
  readonly dev: number;
  mode: number;
  readonly gid: number;
  data: Buffer;
}

export interface DirectoryOptions {
  readonly dev?: number;
  readonly mode?: number;
  readonly gid?: number;
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** A Node-style system error: an Error with `code` and `syscall`. */
export function errnoError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} ${path ?? ''}`.trim()), { code, syscall });
}

function fakeStats(node: Inode, isDirectory: boolean): Stats {
  const stats = {
    dev: node.dev,
    ino: node.ino,
    mode: node.mode | (isDirectory ? S_IFDIR : S_IFREG),
    gid: node.gid,
    size: node.data.length,
    isDirectory: () => isDirectory,
    isFile: () => !isDirectory,
  };
  return stats as unknown as Stats;
}

export class FakeFileSystem implements FileSystem {
  /** "op path [path2]" for every call, in order; tests may share it with other fakes. */
  readonly log: string[];
  private readonly dirs = new Map<string, Inode>();
  private readonly files = new Map<string, Inode>();
  private readonly faults: Fault[] = [];
  private nextIno = 100;

  constructor(log: string[] = []) {
    this.log = log;
  }

  /** Makes the next `times` calls of `op` (on `path`, if given) fail with `code`. */
  fail(op: Operation, code: string, options: FaultOptions = {}): this {
    this.faults.push({
      op,
      code,
      path: options.path,
      afterEffect: options.afterEffect ?? false,
      remaining: options.times ?? 1,
    });
    return this;
  }

  /** Creates a directory (and missing parents, on the same device). */
  addDirectory(path: string, options: DirectoryOptions = {}): this {
    const parent = dirname(path);
    if (parent !== path && !this.dirs.has(parent)) this.addDirectory(parent, { dev: options.dev ?? 1 });
    this.dirs.set(path, this.inode(options.dev ?? 1, options.mode ?? 0o700, options.gid ?? 100));
    return this;
  }

  /** A maildir: root, tmp/, new/, cur/, all on one device unless `devices` say otherwise. */
  addMaildir(root: string, options: DirectoryOptions & { readonly tmp?: DirectoryOptions } = {}): this {
    this.addDirectory(root, options);
    this.addDirectory(`${root}/tmp`, { ...options, ...options.tmp });
    this.addDirectory(`${root}/new`, options);
    this.addDirectory(`${root}/cur`, options);
    return this;
  }

  /**
   * A second name for an existing maildir (a symlink or a bind mount): the root and its three
   * subdirectories are the same inodes. Files inside are not shared; enough for pre-checks.
   */
  addAlias(alias: string, root: string): this {
    for (const sub of ['', '/tmp', '/new', '/cur']) {
      const node = this.dirs.get(`${root}${sub}`);
      if (node === undefined) throw new Error(`no directory ${root}${sub}`);
      if (sub === '' && !this.dirs.has(dirname(alias))) this.addDirectory(dirname(alias));
      this.dirs.set(`${alias}${sub}`, node);
    }
    return this;
  }

  addFile(path: string, data: string | Buffer, mode = 0o600): this {
    this.files.set(path, this.inode(this.deviceOf(path), mode, 100));
    this.content(path, data);
    return this;
  }

  /** Names in a directory, sorted. */
  list(dir: string): string[] {
    return [...this.files.keys()]
      .filter((path) => dirname(path) === dir)
      .map((path) => path.slice(dir.length + 1))
      .sort();
  }

  /** The file's bytes (throws if there is no such file). */
  read(path: string): Buffer {
    return this.existingFile(path, 'read').data;
  }

  modeOf(path: string): number {
    return this.existingFile(path, 'modeOf').mode;
  }

  inodeOf(path: string): number {
    return this.existingFile(path, 'inodeOf').ino;
  }

  exists(path: string): boolean {
    return this.files.has(path) || this.dirs.has(path);
  }

  // --- FileSystem -------------------------------------------------------------------------

  async createExclusive(path: string, mode: number): Promise<WritableFile> {
    await this.enter('createExclusive', path);
    this.checkParent(path, 'open');
    if (this.exists(path)) throw errnoError('EEXIST', 'open', path);
    const node = this.inode(this.deviceOf(path), mode, 100);
    this.files.set(path, node);
    this.afterEffect('createExclusive', path);
    let closed = false;
    const use = async (op: Operation, detail = ''): Promise<void> => {
      await this.enter(op, path, detail);
      if (closed) throw errnoError('EBADF', op, path);
      this.afterEffect(op, path);
    };
    return {
      writeAll: async (data) => {
        await use('writeAll', String(data.length));
        node.data = Buffer.concat([node.data, data]);
      },
      chmod: async (m) => {
        await use('chmod', `0${m.toString(8)}`);
        node.mode = m;
      },
      sync: () => use('sync'),
      close: async () => {
        await use('close');
        closed = true;
      },
    };
  }

  async openForReading(path: string): Promise<ReadableFile> {
    await this.enter('openForReading', path);
    const node = this.existingFile(path, 'open');
    this.afterEffect('openForReading', path);
    return {
      read: async (buffer, position) => {
        await this.enter('read', path, String(position));
        return node.data.copy(buffer, 0, position, Math.min(node.data.length, position + buffer.length));
      },
      close: () => this.enter('close', path),
    };
  }

  async link(existing: string, created: string): Promise<void> {
    await this.enter('link', created, existing);
    const node = this.existingFile(existing, 'link');
    this.checkParent(created, 'link');
    if (this.exists(created)) throw errnoError('EEXIST', 'link', created);
    this.files.set(created, node);
    this.afterEffect('link', created);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.enter('rename', to, from);
    const node = this.existingFile(from, 'rename');
    this.checkParent(to, 'rename');
    this.files.delete(from);
    this.files.set(to, node);
    this.afterEffect('rename', to);
  }

  async unlink(path: string): Promise<void> {
    await this.enter('unlink', path);
    this.unlinkNowUnlogged(path);
  }

  unlinkNow(path: string): void {
    this.log.push(`unlinkNow ${path}`);
    this.throwIfFaulty('unlinkNow', path, false);
    this.unlinkNowUnlogged(path);
  }

  async stat(path: string): Promise<Stats> {
    await this.enter('stat', path);
    return this.statOf(path, 'stat');
  }

  async lstat(path: string): Promise<Stats> {
    await this.enter('lstat', path);
    return this.statOf(path, 'lstat');
  }

  async canWriteDirectory(path: string): Promise<void> {
    await this.enter('canWriteDirectory', path);
    if (!this.dirs.has(path)) throw errnoError('ENOENT', 'access', path);
  }

  async mkdir(path: string, mode: number): Promise<void> {
    await this.enter('mkdir', path, `0${mode.toString(8)}`);
    if (this.files.has(path)) throw errnoError('EEXIST', 'mkdir', path);
    if (!this.dirs.has(path)) this.addDirectory(path, { dev: this.deviceOf(path), mode });
    this.afterEffect('mkdir', path);
  }

  async syncDirectory(path: string): Promise<void> {
    await this.enter('syncDirectory', path);
    if (!this.dirs.has(path)) throw errnoError('ENOENT', 'open', path);
  }

  // --- internals ----------------------------------------------------------------------------

  private inode(dev: number, mode: number, gid: number): Inode {
    return { ino: this.nextIno++, dev, mode, gid, data: Buffer.alloc(0) };
  }

  private content(path: string, data: string | Buffer): void {
    this.existingFile(path, 'write').data = Buffer.from(data);
  }

  private deviceOf(path: string): number {
    return this.dirs.get(dirname(path))?.dev ?? 1;
  }

  private existingFile(path: string, syscall: string): Inode {
    const node = this.files.get(path);
    if (node === undefined) throw errnoError('ENOENT', syscall, path);
    return node;
  }

  private checkParent(path: string, syscall: string): void {
    if (!this.dirs.has(dirname(path))) throw errnoError('ENOENT', syscall, path);
  }

  private statOf(path: string, syscall: string): Stats {
    const dir = this.dirs.get(path);
    if (dir !== undefined) return fakeStats(dir, true);
    if (this.files.has(dirname(path))) throw errnoError('ENOTDIR', syscall, path);
    return fakeStats(this.existingFile(path, syscall), false);
  }

  private unlinkNowUnlogged(path: string): void {
    this.existingFile(path, 'unlink');
    this.files.delete(path);
  }

  /** Logs the call, yields to the event loop like real I/O, and throws an injected error. */
  private async enter(op: Operation, path: string, detail = ''): Promise<void> {
    this.log.push([op, path, detail].filter((part) => part !== '').join(' '));
    await Promise.resolve();
    this.throwIfFaulty(op, path, false);
  }

  private afterEffect(op: Operation, path: string): void {
    this.throwIfFaulty(op, path, true);
  }

  private throwIfFaulty(op: Operation, path: string, afterEffect: boolean): void {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        f.op === op &&
        f.afterEffect === afterEffect &&
        (f.path === undefined || f.path === path),
    );
    if (fault === undefined) return;
    fault.remaining--;
    throw errnoError(fault.code, op, path);
  }
}
