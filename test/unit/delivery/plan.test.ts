// The copy plan: one written file per (file system, mode, group), hard links for the rest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../../../src/config/types';
import { planCopies, type CopyMethod } from '../../../src/delivery/plan';
import type { MaildirFacts } from '../../../src/maildir/precheck';

const target = (name: string, mode = 0o600): Target => ({ name, path: `/m/${name}`, mode, create: false });
const facts = (tmpDev: number, fileGroup = 100): MaildirFacts => ({
  rootDev: tmpDev,
  rootIno: 1,
  tmpDev,
  fileGroup,
});
const W: CopyMethod = { kind: 'write' };
const L = (from: number): CopyMethod => ({ kind: 'link', from });

describe('planCopies', () => {
  // prettier-ignore
  const table: [string, Target[], (MaildirFacts | undefined)[], CopyMethod[]][] = [
    ['one target writes', [target('a')], [facts(1)], [W]],
    ['same device, mode, group: link to the first', [target('a'), target('b'), target('c')], [facts(1), facts(1), facts(1)], [W, L(0), L(0)]],
    ['other device: its own write', [target('a'), target('b')], [facts(1), facts(2)], [W, W]],
    ['other mode: its own write', [target('a'), target('b', 0o640)], [facts(1), facts(1)], [W, W]],
    ['other group: its own write', [target('a'), target('b')], [facts(1, 100), facts(1, 200)], [W, W]],
    ['groups by (device, mode, group)', [target('a'), target('b'), target('c', 0o640), target('d'), target('e', 0o640), target('f')], [facts(1), facts(2), facts(1), facts(2), facts(1), facts(1, 7)], [W, W, W, L(1), L(2), W]],
    ['unknown facts (dry run of a missing maildir): write', [target('a'), target('b')], [facts(1), undefined], [W, W]],
    ['no targets', [], [], []],
  ];
  for (const [title, targets, fs, expected] of table) {
    it(title, () => assert.deepEqual(planCopies(targets, fs, true), expected));
  }

  it('hardLinks false: every target is written', () => {
    const targets = [target('a'), target('b'), target('c')];
    assert.deepEqual(planCopies(targets, [facts(1), facts(1), facts(1)], false), [W, W, W]);
  });
});
