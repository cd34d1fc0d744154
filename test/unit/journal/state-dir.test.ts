// Where the journal lives by default: the XDG Base Directory spec's state home.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultStateDir } from '../../../src/journal/state-dir';

describe('defaultStateDir', () => {
  // [XDG_STATE_HOME, HOME, expected]
  const cases: readonly (readonly [string | undefined, string | undefined, string | undefined])[] = [
    ['/x/state', '/home/bb', '/x/state/maildir-fanout'],
    ['/x/state/', '/home/bb', '/x/state/maildir-fanout'],
    ['/x/state', undefined, '/x/state/maildir-fanout'],
    [undefined, '/home/bb', '/home/bb/.local/state/maildir-fanout'],
    ['', '/home/bb', '/home/bb/.local/state/maildir-fanout'], // set but empty: ignored
    ['relative/state', '/home/bb', '/home/bb/.local/state/maildir-fanout'], // "not absolute": ignored
    [undefined, 'home/bb', undefined], // a relative HOME would depend on the MTA's cwd
    [undefined, '', undefined],
    ['relative', undefined, undefined],
    [undefined, undefined, undefined],
  ];
  for (const [xdg, home, expected] of cases) {
    it(`XDG_STATE_HOME=${JSON.stringify(xdg)} HOME=${JSON.stringify(home)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(defaultStateDir(xdg, home), expected);
    });
  }
});
