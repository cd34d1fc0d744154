// --dry-run: the same pre-checks and copy plan as a delivery, printed, and nothing written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config, Target } from '../../../src/config/types';
import { explain } from '../../../src/delivery/explain';
import type { NameSource } from '../../../src/maildir/name-source';
import { FakeFileSystem } from '../maildir/fake-file-system';

const target = (name: string, change: Partial<Target> = {}): Target => ({
  name,
  path: `/${name}`,
  mode: 0o600,
  create: false,
  ...change,
});
const config = (targets: Target[], sizeLimit = 1000): Config => ({
  targets,
  settings: { sizeLimit, timeoutSeconds: 900, hardLinks: true },
});

async function* message(text: string): AsyncIterable<string> {
  await Promise.resolve();
  yield text;
}

function deps(fs: FakeFileSystem) {
  let n = 0;
  const names: NameSource = { next: () => `n${++n}` };
  return { fs, names, egid: 100 };
}

/** Everything but looking (stat, access) that the dry run did to the file system. */
const writes = (fs: FakeFileSystem): string[] =>
  fs.log.filter((line) => !/^(stat|lstat|canWriteDirectory) /.test(line));

describe('explain', () => {
  it('prints the plan, writes nothing, and is ok when the delivery would go through', async () => {
    const fs = new FakeFileSystem().addMaildir('/a').addMaildir('/b').addMaildir('/c', { dev: 2 });
    const report = await explain(
      config([target('a'), target('b'), target('c', { mode: 0o640 })]),
      message('From s Sat Nov 28\nSubject: x\n\nbody\n'),
      deps(fs),
      '/etc/mf/targets.json',
    );
    assert.deepEqual(report.outcome, { kind: 'ok' });
    assert.deepEqual(writes(fs), []);
    const lines = report.text.split('\n');
    assert.equal(lines[0], 'maildir-fanout --dry-run: nothing is written.');
    for (const line of [
      'config: /etc/mf/targets.json',
      'limits: size 1000 bytes, timeout 900 s, hard links on',
      'message: 17 bytes would be delivered',
      'From_ line: removed: "From s Sat Nov 28"',
      'targets: 3',
      '  a: /a',
      '    state: ready',
      '    file: /a/tmp/n1 -> /a/new/n1 (name differs on each run)',
      '    copy: written from the message, mode 0600',
      '    copy: hard link to the file of target a, mode 0600',
      '    copy: written from the message, mode 0640',
      'result: would deliver one copy to each of 3 targets',
    ]) {
      assert.ok(lines.includes(line), `missing line ${JSON.stringify(line)} in:\n${report.text}`);
    }
    assert.ok(report.text.endsWith('\n'));
  });

  it('maildirs from the command line, no From_ line, one target', async () => {
    const fs = new FakeFileSystem().addMaildir('/a');
    const report = await explain(config([target('a')]), message('Subject: x\n'), deps(fs), undefined);
    assert.match(report.text, /^config: \(maildirs from the command line\)$/m);
    assert.match(report.text, /^From_ line: none$/m);
    assert.match(report.text, /^result: would deliver one copy to each of 1 target$/m);
  });

  it('standard input a terminal: the message is not read', async () => {
    const fs = new FakeFileSystem().addMaildir('/a');
    const report = await explain(config([target('a')]), undefined, deps(fs), undefined);
    assert.match(report.text, /^message: not read \(standard input is a terminal\)$/m);
    assert.deepEqual(report.outcome, { kind: 'ok' });
  });

  it('a missing maildir: FAILS with 4.2.1, outcome temporary', async () => {
    const fs = new FakeFileSystem().addMaildir('/a');
    const report = await explain(config([target('a'), target('b')]), message('x'), deps(fs), undefined);
    assert.equal(report.outcome.kind, 'temporary');
    assert.equal(report.outcome.status, '4.2.1');
    assert.match(report.text, /^ {4}state: FAILS: 4\.2\.1 target b: maildir \/b does not exist$/m);
    assert.match(report.text, /^result: would fail: 4\.2\.1 /m);
  });

  it('a missing maildir with create: would be created, nothing created', async () => {
    const fs = new FakeFileSystem().addMaildir('/a').addDirectory('/');
    const report = await explain(
      config([target('a'), target('b', { create: true })]),
      message('x'),
      deps(fs),
      undefined,
    );
    assert.deepEqual(report.outcome, { kind: 'ok' });
    assert.match(report.text, /^ {4}state: missing: would be created \(mode 0700\)$/m);
    assert.deepEqual(writes(fs), []);
    assert.ok(!fs.exists('/b'));
  });

  it('over the size limit: rejected, permanent 5.2.3', async () => {
    const fs = new FakeFileSystem().addMaildir('/a');
    const report = await explain(config([target('a')], 3), message('1234'), deps(fs), undefined);
    assert.equal(report.outcome.kind, 'permanent');
    assert.equal(report.outcome.status, '5.2.3');
    assert.match(report.text, /^message: rejected: 5\.2\.3 /m);
  });

  it('the first failure is the outcome', async () => {
    const fs = new FakeFileSystem().addMaildir('/a', { tmp: { dev: 9 } });
    const report = await explain(config([target('a'), target('b')], 3), message('1234'), deps(fs), undefined);
    assert.equal(report.outcome.kind, 'permanent');
  });

  // Found while writing these tests: delivery refuses two names for one maildir (deliver.ts,
  // precheckAll), but --dry-run does not run that check and says the delivery would go through.
  it('regression: two names for one maildir fail the dry run with 4.3.5, as the delivery does', async () => {
    const fs = new FakeFileSystem().addMaildir('/a').addAlias('/srv/link-to-a', '/a');
    const report = await explain(
      config([target('a'), { name: 'again', path: '/srv/link-to-a', mode: 0o600, create: false }]),
      message('x'),
      deps(fs),
      undefined,
    );
    assert.equal(report.outcome.kind, 'temporary');
    assert.equal(report.outcome.status, '4.3.5');
  });
});
