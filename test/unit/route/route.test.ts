// Which targets get a message: those without a rule, those whose rule matches, and when none
// does, what `unmatched` says (README, "Routing"); and what a rule set needs read and loaded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../../../src/config/types';
import { compileRule } from '../../../src/route/compile';
import type { HeaderView } from '../../../src/route/header-view';
import { routeMessage, ruleNeeds } from '../../../src/route/route';
import type { UnmatchedPolicy } from '../../../src/route/rule';

function target(name: string, match?: unknown, index = 0): Target {
  const base = { name, path: `/${name}`, mode: 0o600, create: false };
  if (match === undefined) return base;
  const compiled = compileRule(match, ['targets', index, 'match']);
  if (!compiled.ok) return assert.fail(compiled.problem);
  return { ...base, match: compiled.rule };
}

/** A message with Subject "[macos] fix" from dev@gstreamer.net. */
const VIEW: HeaderView = {
  values: (name) => (name.toLowerCase() === 'subject' ? ['[macos] fix'] : []),
  addresses: (name) => (name.toLowerCase() === 'from' ? ['dev@gstreamer.net'] : []),
};

const MACOS = { header: 'Subject', contains: '[macos]' };
const LINUX = { header: 'Subject', contains: '[linux]' };
const KERNEL = { address: 'From', glob: '*@kernel.org' };
const REJECT: UnmatchedPolicy = { kind: 'reject' };

const names = (targets: readonly Target[]): string[] => targets.map((t) => t.name);

describe('routeMessage', () => {
  it('no target has a rule: every target gets the message, no decision, no fallback', () => {
    const targets = [target('a'), target('b')];
    const plan = routeMessage(targets, VIEW, REJECT);
    assert.deepEqual(plan, {
      routes: targets.map((t) => ({ target: t, selected: true, decision: undefined, fallback: false })),
      selected: targets,
      unmatched: undefined,
    });
  });

  it('some rules match: those targets and the targets without a rule, in config order', () => {
    const targets = [
      target('linux', LINUX, 0),
      target('archive'),
      target('macos', MACOS, 2),
      target('kernel', KERNEL, 3),
    ];
    const plan = routeMessage(targets, VIEW, REJECT);
    assert.deepEqual(names(plan.selected), ['archive', 'macos']);
    assert.equal(plan.unmatched, undefined);
    assert.deepEqual(
      plan.routes.map((r) => [r.target.name, r.selected, r.decision?.matched, r.decision?.at, r.fallback]),
      [
        ['linux', false, false, 'targets[0].match', false],
        ['archive', true, undefined, undefined, false],
        ['macos', true, true, 'targets[2].match', false],
        ['kernel', false, false, 'targets[3].match', false],
      ],
    );
    assert.equal(
      plan.routes[2]?.decision?.reason,
      'header Subject contains "[macos]": matches "[macos] fix"',
    );
  });

  it('a target without a rule keeps unmatched from applying, even when no rule matches', () => {
    const plan = routeMessage([target('linux', LINUX), target('archive')], VIEW, { kind: 'defer' });
    assert.deepEqual(names(plan.selected), ['archive']);
    assert.equal(plan.unmatched, undefined);
  });

  for (const kind of ['reject', 'defer', 'discard'] as const) {
    it(`no rule matches, unmatched "${kind}": unmatched is "${kind}", nothing selected`, () => {
      const targets = [target('linux', LINUX, 0), target('kernel', KERNEL, 1)];
      const plan = routeMessage(targets, VIEW, { kind });
      assert.equal(plan.unmatched, kind);
      assert.deepEqual(plan.selected, []);
      assert.ok(plan.routes.every((r) => !r.selected && !r.fallback && r.decision?.matched === false));
    });

    it(`a rule matches, unmatched "${kind}" does not apply`, () => {
      const plan = routeMessage([target('linux', LINUX), target('macos', MACOS, 1)], VIEW, { kind });
      assert.equal(plan.unmatched, undefined);
      assert.deepEqual(names(plan.selected), ['macos']);
    });
  }

  it('no rule matches, unmatched deliverTo: the named targets, in config order, marked fallback', () => {
    const targets = [target('linux', LINUX, 0), target('kernel', KERNEL, 1), target('bsd', LINUX, 2)];
    const plan = routeMessage(targets, VIEW, { kind: 'deliverTo', targets: ['bsd', 'linux'] });
    assert.equal(plan.unmatched, undefined);
    assert.deepEqual(names(plan.selected), ['linux', 'bsd']);
    assert.deepEqual(
      plan.routes.map((r) => [r.target.name, r.selected, r.fallback, r.decision?.matched]),
      [
        ['linux', true, true, false],
        ['kernel', false, false, false],
        ['bsd', true, true, false],
      ],
    );
  });

  it('a rule matches: deliverTo does not apply', () => {
    const plan = routeMessage([target('linux', LINUX), target('macos', MACOS, 1)], VIEW, {
      kind: 'deliverTo',
      targets: ['linux'],
    });
    assert.deepEqual(names(plan.selected), ['macos']);
    assert.ok(plan.routes.every((r) => !r.fallback));
  });

  it('the selected targets are the Target objects of the config', () => {
    const targets = [target('macos', MACOS)];
    assert.equal(routeMessage(targets, VIEW, REJECT).selected[0], targets[0]);
  });
});

describe('ruleNeeds', () => {
  // prettier-ignore
  const table: [string, Target[], { header: boolean; addresses: boolean }][] = [
    ['no targets', [], { header: false, addresses: false }],
    ['no rules', [target('a'), target('b')], { header: false, addresses: false }],
    ['a header rule', [target('a'), target('b', MACOS)], { header: true, addresses: false }],
    ['an address rule', [target('a', KERNEL)], { header: true, addresses: true }],
    ['an address rule among header rules', [target('a', MACOS), target('b', LINUX), target('c', KERNEL)], { header: true, addresses: true }],
    ['an address rule inside any', [target('a', { any: [MACOS, KERNEL] })], { header: true, addresses: true }],
    ['an address rule inside all', [target('a', { all: [MACOS, KERNEL] })], { header: true, addresses: true }],
    ['an address rule inside not', [target('a', { not: KERNEL })], { header: true, addresses: true }],
    ['an address rule deep inside', [target('a', { any: [MACOS, { all: [LINUX, { not: { any: [KERNEL] } }] }] })], { header: true, addresses: true }],
    ['header rules only, nested', [target('a', { any: [MACOS, { all: [LINUX, { not: MACOS }] }] })], { header: true, addresses: false }],
    ['address exists', [target('a', { address: 'To', exists: false })], { header: true, addresses: true }],
  ];
  for (const [title, targets, needs] of table) {
    it(title, () => assert.deepEqual(ruleNeeds(targets), needs));
  }
});
