// Reading the config file: the safety rule on the opened file, the size cap, and the messages.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, type Loaded } from '../../../src/config/load';

const ME = process.getuid?.() ?? 1000;
const VALID = JSON.stringify({ targets: [{ name: 'a', path: 'Maildir' }] });

const problemOf = (loaded: Loaded): string =>
  loaded.ok ? 'ok' : `${loaded.failure.kind} ${loaded.failure.status} ${loaded.failure.text}`;

describe('loadConfig', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-load-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** A fresh private folder with a config file in it. */
  function configFile(content: string | Buffer, mode = 0o600, folderMode = 0o700): string {
    const dir = join(root, `d${++n}`);
    mkdirSync(dir);
    chmodSync(dir, folderMode);
    const path = join(dir, 'targets.json');
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  }
  const context = { cwd: '/', home: '/home/bb', uid: ME };

  it('a good file: the config, relative paths against its folder', async () => {
    const path = configFile(VALID);
    const loaded = await loadConfig(path, context);
    assert.ok(loaded.ok, problemOf(loaded));
    assert.equal(loaded.config.targets[0]?.path, join(path, '..', 'Maildir'));
  });

  it('a relative path: against the working directory', async () => {
    const path = configFile(VALID);
    const loaded = await loadConfig('targets.json', { ...context, cwd: join(path, '..') });
    assert.ok(loaded.ok, problemOf(loaded));
  });

  it('read-only 0400 and 0644 are fine', async () => {
    for (const mode of [0o400, 0o644]) assert.ok((await loadConfig(configFile(VALID, mode), context)).ok);
  });

  it('a file in a sticky world-writable folder (/tmp) is fine', async () => {
    assert.ok((await loadConfig(configFile(VALID, 0o600, 0o1777), context)).ok);
  });

  // prettier-ignore
  const table: [string, () => string, RegExp][] = [
    ['missing', () => join(root, 'nope.json'), /^temporary 4\.3\.5 config .*nope\.json: does not exist$/],
    ['a folder', () => root, /: is not a regular file$/],
    ['group-writable', () => configFile(VALID, 0o620), /: is writable by group or others \(mode 0620\); run chmod go-w on it$/],
    ['world-writable', () => configFile(VALID, 0o606), /: is writable by group or others \(mode 0606\)/],
    ['in a folder others can write', () => configFile(VALID, 0o600, 0o777), /, which others can write \(mode 0777\), so they could replace it$/],
    ['over 1 MiB', () => configFile(Buffer.alloc(1024 * 1024 + 1, 0x20)), /: is 1048577 bytes; a config is at most 1048576$/],
    ['not JSON', () => configFile('{"targets": [}'), /: not valid JSON: /],
    ['invalid', () => configFile('{"targets": []}'), /: targets: must not be empty$/],
  ];
  for (const [title, make, expected] of table) {
    it(`${title} → 4.3.5`, async () => {
      const path = make();
      const text = problemOf(await loadConfig(path, context));
      assert.match(text, /^temporary 4\.3\.5 config \//);
      assert.match(text, expected);
    });
  }

  it('the message names the absolute path', async () => {
    const path = configFile('[]');
    const loaded = await loadConfig('targets.json', { ...context, cwd: join(path, '..') });
    assert.equal(problemOf(loaded), `temporary 4.3.5 config ${path}: top level: must be an object`);
  });

  it('owned by another user (not root) → 4.3.5', async () => {
    const path = configFile(VALID);
    const other = 4242;
    if (ME === 0) chownSync(path, 1234, 1234); // as root: a file of uid 1234, read by uid 4242
    const loaded = await loadConfig(path, { ...context, uid: other });
    const owner = ME === 0 ? 1234 : ME;
    assert.match(
      problemOf(loaded),
      new RegExp(`: is owned by uid ${owner}, not by you \\(uid ${other}\\) or root$`),
    );
  });

  it(
    'owned by root: accepted for any user',
    { skip: ME !== 0 && 'needs root to own a file as root' },
    async () => {
      assert.ok((await loadConfig(configFile(VALID), { ...context, uid: 4242 })).ok);
    },
  );
});
