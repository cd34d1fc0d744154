// A bad or unsafe config is an operator's mistake: exit 75 with 4.3.5 ("system incorrectly
// configured"), a message that says what and where, and nothing delivered, so the mail waits in
// the queue until the config is fixed (DESIGN.md, "Exit status" and "Security").
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_TEMPFAIL,
  MESSAGE,
} from './fault-helpers';
import { asRoot, runCli, sandbox, TEST_GID } from './harness';

describe('a bad or unsafe config', () => {
  const box = sandbox();
  after(() => box.remove());

  /** Maildirs a and b under `group`: what a config in `group` can point at. */
  const maildirs = (group: string): string[] => ['a', 'b'].map((name) => box.maildir(`${group}/${name}`));

  it('invalid JSON: exit 75, 4.3.5 naming the config file, "not valid JSON" and the line and column', async () => {
    const dirs = maildirs('json');
    // Line 3, column 18 is the `"` of "path": a comma is missing before it.
    const text = '{\n  "targets": [\n    {"name": "a" "path": "a"}\n  ]\n}\n';
    const config = box.file('json/targets.json', text, 0o600);
    const result = await runCli(['--config', config], { input: MESSAGE });
    assertFailure(result, EX_TEMPFAIL, '4.3.5', `config ${config}:`, 'not valid JSON', '(line 3, column 18)');
    assertNothingDelivered(dirs);
  });

  // One line per schema or consistency problem: the config, and the words stderr must contain.
  const problems: readonly { name: string; config: unknown; says: string }[] = [
    {
      name: 'a target without path',
      config: { targets: [{ name: 'a', path: 'a' }, { name: 'b' }] },
      says: 'targets[1].path: required',
    },
    {
      name: 'an unknown key in a target',
      config: { targets: [{ name: 'a', path: 'a', colour: 'red' }] },
      says: 'targets[0].colour: unknown key',
    },
    {
      name: 'an unknown top-level key (a typo of sizeLimit)',
      config: { targets: [{ name: 'a', path: 'a' }], sizelimit: '1M' },
      says: 'sizelimit: unknown key',
    },
    {
      name: 'duplicate target names',
      config: {
        targets: [
          { name: 'a', path: 'a' },
          { name: 'a', path: 'b' },
        ],
      },
      says: 'targets[1].name: "a" is already the name of targets[0]',
    },
    {
      name: 'two targets with the same path',
      config: {
        targets: [
          { name: 'a', path: 'a' },
          { name: 'b', path: './a' },
        ],
      },
      says: 'targets[1].path: same maildir as targets[0]',
    },
    { name: 'an empty target list', config: { targets: [] }, says: 'targets: must not be empty' },
    { name: 'no targets key', config: { sizeLimit: '1M' }, says: 'targets: required' },
    {
      name: 'a world-writable file mode',
      config: { targets: [{ name: 'a', path: 'a', mode: '0666' }] },
      says: 'targets[0].mode: "0666" is world-writable',
    },
    {
      name: 'a size limit that is not a size',
      config: { targets: [{ name: 'a', path: 'a' }], sizeLimit: '10 MB' },
      says: 'sizeLimit: must be a positive number of bytes, or a string such as "50M"',
    },
    {
      name: 'a timeout of 0 seconds',
      config: { targets: [{ name: 'a', path: 'a' }], timeout: 0 },
      says: 'timeout: must be at least 1',
    },
    {
      name: 'hardLinks as a string',
      config: { targets: [{ name: 'a', path: 'a' }], hardLinks: 'yes' },
      says: 'hardLinks: must be true or false',
    },
  ];
  for (const [index, problem] of problems.entries()) {
    it(`${problem.name}: exit 75, 4.3.5 naming the config, stderr says: ${problem.says}; nothing delivered`, async () => {
      const group = `schema-${index}`;
      const dirs = maildirs(group);
      const config = box.config(problem.config, `${group}/targets.json`);
      const result = await runCli(['--config', config], { input: MESSAGE });
      assertFailure(result, EX_TEMPFAIL, '4.3.5', `config ${config}:`, problem.says);
      assertNothingDelivered(dirs);
    });
  }

  it('a config file that does not exist: exit 75, 4.3.5 "does not exist"', async () => {
    const config = join(box.dir, 'absent.json');
    const result = await runCli(['--config', config], { input: MESSAGE });
    assertFailure(result, EX_TEMPFAIL, '4.3.5', `config ${config}: does not exist`);
  });

  for (const mode of [0o664, 0o646, 0o620]) {
    const octal = mode.toString(8).padStart(4, '0');
    it(`a config file writable by group or others (mode ${octal}): exit 75, 4.3.5 refusing it with its mode, nothing delivered`, async () => {
      const group = `mode-${octal}`;
      const dirs = maildirs(group);
      const config = box.config({ targets: [{ name: 'a', path: 'a' }] }, `${group}/targets.json`);
      chmodSync(config, mode);
      const result = await runCli(['--config', config], { input: MESSAGE });
      assertFailure(
        result,
        EX_TEMPFAIL,
        '4.3.5',
        `config ${config}:`,
        `is writable by group or others (mode ${octal})`,
      );
      assertNothingDelivered(dirs);
    });
  }

  it('a config in a folder that others can write, without the sticky bit (0777): exit 75, 4.3.5 refusing it, nothing delivered', async () => {
    const dirs = maildirs('open-folder/m');
    const folder = join(box.dir, 'open-folder/conf');
    mkdirSync(folder);
    box.own(folder);
    chmodSync(folder, 0o777);
    const config = box.config({ targets: [{ name: 'a', path: dirs[0]! }] }, 'open-folder/conf/targets.json');
    const result = await runCli(['--config', config], { input: MESSAGE });
    assertFailure(
      result,
      EX_TEMPFAIL,
      '4.3.5',
      `config ${config}:`,
      `is in ${folder}, which others can write`,
    );
    assertNothingDelivered(dirs);
  });

  it('a config in a sticky folder that others can write (1777, like /tmp) is accepted and delivers', async () => {
    const dirs = maildirs('sticky-folder/m');
    const folder = join(box.dir, 'sticky-folder/conf');
    mkdirSync(folder);
    box.own(folder);
    chmodSync(folder, 0o1777);
    const config = box.config(
      {
        targets: [
          { name: 'a', path: dirs[0]! },
          { name: 'b', path: dirs[1]! },
        ],
      },
      'sticky-folder/conf/targets.json',
    );
    assertSilentSuccess(await runCli(['--config', config], { input: MESSAGE }));
    assertOneCopyEach(dirs, MESSAGE);
  });

  it('a config owned by another non-root user: exit 75, 4.3.5 naming its owner, nothing delivered', async (t) => {
    if (!asRoot) {
      t.skip('needs root to give the config file to another user');
      return;
    }
    const dirs = maildirs('foreign');
    const config = box.config({ targets: [{ name: 'a', path: 'a' }] }, 'foreign/targets.json');
    chownSync(config, 4242, TEST_GID);
    chmodSync(config, 0o644); // readable, so that the owner is what gets it refused
    const result = await runCli(['--config', config], { input: MESSAGE });
    assertFailure(result, EX_TEMPFAIL, '4.3.5', `config ${config}:`, 'is owned by uid 4242');
    assertNothingDelivered(dirs);
  });
});
