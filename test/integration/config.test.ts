// What a targets.json (--config FILE) decides about a successful delivery: where each target
// is (relative paths, ~/, symlinks), the exact mode of delivered files, creating a missing
// maildir, and when copies share one inode (hard links) or not.
import assert from 'node:assert/strict';
import { lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asRoot, listMaildir, readNew, runCli, sandbox, TEST_UID, type RunResult } from './harness';
import { folder, modeOf, onlyNewFile, runCliWithUmask, statNew, symlink } from './readers';

const MESSAGE = Buffer.from('From: a@example.org\nSubject: config\n\nbody\n');

function assertDelivered(result: RunResult): void {
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout + result.stderr, '');
}

/** Exactly one copy of MESSAGE in new/, nothing in tmp/. */
function assertOneCopy(dir: string): void {
  assert.equal(listMaildir(dir).tmp.length, 0, `${dir}/tmp`);
  assert.deepEqual(readNew(dir), [MESSAGE], `${dir}/new`);
}

function assertNothing(dir: string): void {
  const listing = listMaildir(dir);
  assert.deepEqual({ tmp: listing.tmp, new: listing.new }, { tmp: [], new: [] }, dir);
}

describe('--config FILE', () => {
  const box = sandbox();
  after(() => box.remove());
  let run = 0;
  /** A fresh folder for one test, with maildirs, folders and a config inside it. */
  const place = () => {
    const name = `t${++run}`;
    const root = folder(box.dir, name);
    return {
      root,
      maildir: (relative: string): string => box.maildir(`${name}/${relative}`),
      folder: (relative: string): string => folder(root, relative),
      config: (value: unknown, relative = 'targets.json'): string => box.config(value, `${name}/${relative}`),
    };
  };
  const threeTargets = (p: ReturnType<typeof place>, extra: Record<string, unknown> = {}) => {
    const dirs = ['a', 'b', 'c'].map((name) => p.maildir(name));
    return { dirs, targets: dirs.map((path, i) => ({ name: `t${i}`, path, ...extra })) };
  };

  it("relative target paths resolve against the config file's folder, not the working directory", async () => {
    const p = place();
    p.folder('etc');
    p.config(
      {
        targets: [
          { name: 'a', path: 'mail/a' },
          { name: 'b', path: '../spool/b' },
        ],
      },
      'etc/targets.json',
    );
    const [a, b] = [p.maildir('etc/mail/a'), p.maildir('spool/b')];
    const cwd = p.folder('work/deeper');
    // Where the same relative paths lead from the working directory: they must stay empty.
    const decoys = [p.maildir('work/deeper/mail/a'), p.maildir('work/spool/b')];
    assertDelivered(await runCli(['--config', '../../etc/targets.json'], { input: MESSAGE, cwd }));
    assertOneCopy(a);
    assertOneCopy(b);
    decoys.forEach(assertNothing);
  });

  it('a target path starting with ~/ expands to $HOME', async () => {
    const p = place();
    const home = p.folder('home');
    const maildir = p.maildir('home/Maildir');
    const decoy = p.maildir('~/Maildir'); // "~" taken literally, relative to the config's folder
    const config = p.config({ targets: [{ name: 'home', path: '~/Maildir' }] });
    assertDelivered(await runCli(['--config', config], { input: MESSAGE, env: { HOME: home } }));
    assertOneCopy(maildir);
    assertNothing(decoy);
  });

  for (const umask of [0o077, 0o000]) {
    const shown = umask.toString(8).padStart(3, '0');
    it(`"mode": "0640" gives every delivered file exactly mode 0640 under umask ${shown}`, async () => {
      const p = place();
      const { dirs, targets } = threeTargets(p, { mode: '0640' });
      const config = p.config({ targets });
      assertDelivered(await runCliWithUmask(umask, ['--config', config], { input: MESSAGE }));
      for (const dir of dirs) {
        assertOneCopy(dir);
        assert.equal(modeOf(onlyNewFile(dir)).toString(8), '640');
      }
    });
  }

  it('without "mode", every delivered file is exactly mode 0600, even under umask 000', async () => {
    const p = place();
    const { dirs, targets } = threeTargets(p);
    const config = p.config({ targets });
    assertDelivered(await runCliWithUmask(0o000, ['--config', config], { input: MESSAGE }));
    for (const dir of dirs) {
      assertOneCopy(dir);
      assert.equal(modeOf(onlyNewFile(dir)).toString(8), '600');
    }
  });

  it('"create": true creates a missing maildir (tmp, new, cur, all mode 0700) and delivers into it', async () => {
    const p = place();
    const existing = p.maildir('existing');
    const missing = join(p.root, 'missing');
    const config = p.config({
      targets: [
        { name: 'existing', path: existing },
        { name: 'missing', path: missing, create: true },
      ],
    });
    assertDelivered(await runCli(['--config', config], { input: MESSAGE }));
    for (const dir of [missing, ...['tmp', 'new', 'cur'].map((sub) => join(missing, sub))]) {
      assert.ok(lstatSync(dir).isDirectory(), `${dir} is a directory`);
      assert.equal(modeOf(dir).toString(8), '700', dir);
      if (asRoot) assert.equal(statSync(dir).uid, TEST_UID, `${dir} belongs to the delivering user`);
    }
    assertOneCopy(missing);
    assertOneCopy(existing);
    assert.deepEqual(listMaildir(missing).cur, []);
  });

  it('"create": true also creates missing parent folders, mode 0700', async () => {
    const p = place();
    const maildir = join(p.root, 'p1/p2/Maildir');
    const config = p.config({ targets: [{ name: 'deep', path: maildir, create: true }] });
    assertDelivered(await runCli(['--config', config], { input: MESSAGE }));
    for (const dir of [join(p.root, 'p1'), join(p.root, 'p1/p2'), maildir]) {
      assert.equal(modeOf(dir).toString(8), '700', dir);
    }
    assertOneCopy(maildir);
  });

  it('by default the copies on one file system share one inode, linked once per target', async () => {
    const p = place();
    const { dirs, targets } = threeTargets(p);
    const config = p.config({ targets });
    assertDelivered(await runCli(['--config', config], { input: MESSAGE }));
    dirs.forEach(assertOneCopy);
    const stats = dirs.map((dir) => statNew(dir)[0]!);
    assert.deepEqual(
      stats.map((s) => ({ dev: s.dev, ino: s.ino, nlink: s.nlink })),
      dirs.map(() => ({ dev: stats[0]!.dev, ino: stats[0]!.ino, nlink: 3 })),
    );
  });

  const separateFiles = async (args: readonly string[], hardLinks: boolean | undefined): Promise<void> => {
    const p = place();
    const { dirs, targets } = threeTargets(p);
    const config = p.config({ targets, ...(hardLinks === undefined ? {} : { hardLinks }) });
    assertDelivered(await runCli(['--config', config, ...args], { input: MESSAGE }));
    dirs.forEach(assertOneCopy);
    const stats = dirs.map((dir) => statNew(dir)[0]!);
    assert.equal(new Set(stats.map((s) => s.ino)).size, 3, 'three distinct inodes');
    assert.deepEqual(
      stats.map((s) => s.nlink),
      [1, 1, 1],
    );
  };

  it('"hardLinks": false writes a separate file (own inode, equal bytes) into every target', () =>
    separateFiles([], false));

  it('--copy writes a separate file (own inode, equal bytes) into every target', () =>
    separateFiles(['--copy'], undefined));

  it('targets with different modes never share an inode', async () => {
    const p = place();
    const [a, b, c] = [p.maildir('a'), p.maildir('b'), p.maildir('c')];
    const config = p.config({
      targets: [
        { name: 'a', path: a, mode: '0600' },
        { name: 'b', path: b, mode: '0640' },
        { name: 'c', path: c, mode: '0600' },
      ],
    });
    assertDelivered(await runCli(['--config', config], { input: MESSAGE }));
    [a, b, c].forEach(assertOneCopy);
    const [sa, sb, sc] = [statNew(a)[0]!, statNew(b)[0]!, statNew(c)[0]!];
    assert.notEqual(sb.ino, sa.ino);
    assert.equal(sb.nlink, 1);
    assert.equal((sb.mode & 0o7777).toString(8), '640');
    // The two 0600 targets may share theirs: hard links stay on for them.
    assert.equal(sa.ino, sc.ino);
    assert.equal(sa.nlink, 2);
    assert.equal((sa.mode & 0o7777).toString(8), '600');
  });

  it('a target path that is a symlink to a maildir delivers into that maildir', async () => {
    const p = place();
    const real = p.maildir('real');
    const other = p.maildir('other');
    const link = symlink(real, join(p.root, 'link'));
    const config = p.config({
      targets: [
        { name: 'via-link', path: link },
        { name: 'other', path: other },
      ],
    });
    assertDelivered(await runCli(['--config', config], { input: MESSAGE }));
    assertOneCopy(real);
    assertOneCopy(other);
    assert.ok(lstatSync(link).isSymbolicLink(), 'the symlink is left as it was');
  });

  it('the same maildir named twice, once through a symlink, is refused with exit 75 and nothing written', async () => {
    const p = place();
    const real = p.maildir('real');
    const link = symlink(real, join(p.root, 'link'));
    const config = p.config({
      targets: [
        { name: 'a', path: real },
        { name: 'b', path: link },
      ],
    });
    const result = await runCli(['--config', config], { input: MESSAGE });
    assert.equal(result.code, 75);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^4\.3\.5 maildir-fanout: target b: .*same maildir as .*\btarget a\b.*\n$/);
    assertNothing(real);
  });

  it('the same maildir path given twice (also as a/./x) is refused with exit 75 and nothing written', async () => {
    const p = place();
    const real = p.maildir('real');
    const config = p.config({
      targets: [
        { name: 'a', path: real },
        { name: 'b', path: `${p.root}/./real` },
      ],
    });
    const result = await runCli(['--config', config], { input: MESSAGE });
    assert.equal(result.code, 75);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^4\.3\.5 maildir-fanout: config .*: targets\[1\]\.path: .*same maildir as targets\[0\].*\n$/,
    );
    assertNothing(real);
  });
});
