// The documented defaults (README, "Configuration"; DESIGN.md, Security).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MODE, DEFAULT_SETTINGS } from '../../../src/config/types';
import { DEFAULT_THRESHOLDS } from '../../../src/check/thresholds';

describe('defaults', () => {
  it('mode 0600: private unless a target says otherwise', () => assert.equal(DEFAULT_MODE, 0o600));
  it('sizeLimit 512 MiB, timeout 900 s (below Postfix 1000 s), hard links on, journal on, trace headers auto, not quiet, no log, unmatched mail rejected', () => {
    assert.deepEqual(DEFAULT_SETTINGS, {
      sizeLimit: 536870912,
      timeoutSeconds: 900,
      hardLinks: true,
      journal: { enabled: true, dir: undefined, keepDays: 8 },
      traceHeaders: 'auto',
      quiet: false,
      log: undefined,
      unmatched: { kind: 'reject' },
      check: DEFAULT_THRESHOLDS,
    });
    assert.ok(DEFAULT_SETTINGS.timeoutSeconds < 1000);
  });
  it('journal records kept 8 days: longer than Postfix (5 days) and qmail (7 days) keep retrying', () => {
    assert.ok(DEFAULT_SETTINGS.journal.keepDays > 7);
  });
});
