// The self-check's thresholds: the defaults, a config's `check` object over them (global, then a
// target's own), a levels object changing only the levels it names, `false` turning a check off,
// and a bad value named by its JSON path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyThresholds,
  DEFAULT_THRESHOLDS,
  parseAmount,
  type Amount,
  type RawThresholds,
  type TargetThresholds,
  type Thresholds,
} from '../../../src/check/thresholds';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('DEFAULT_THRESHOLDS', () => {
  it('are 5 % / 1 % free space and inodes, 36 h in tmp/, 1 h / 1 d in new/, 10000 files and 1 GiB in cur/, 256 MiB of journal', () => {
    assert.deepEqual(DEFAULT_THRESHOLDS, {
      freeSpace: { warning: { percent: 5 }, critical: { percent: 1 } },
      freeInodes: { warning: { percent: 5 }, critical: { percent: 1 } },
      tmpAge: 36 * 3600,
      newAge: { warning: 3600, critical: 86400 },
      curFiles: 10000,
      curSize: GiB,
      journalSize: 256 * MiB,
    });
  });
});

describe('applyThresholds', () => {
  it('no `check` object: the base, unchanged', () => {
    const applied = applyThresholds(DEFAULT_THRESHOLDS, undefined, 'check');
    assert.deepEqual(applied, { ok: true, value: DEFAULT_THRESHOLDS });
  });

  it('an empty `check` object: the base', () => {
    assert.deepEqual(applyThresholds(DEFAULT_THRESHOLDS, {}, 'check'), {
      ok: true,
      value: DEFAULT_THRESHOLDS,
    });
  });

  // One key set: what it becomes; every other key keeps the default.
  // prettier-ignore
  const overrides: [string, RawThresholds, Partial<Thresholds>][] = [
    ['tmpAge "48h"', { tmpAge: '48h' }, { tmpAge: 172800 }],
    ['tmpAge in seconds', { tmpAge: 60 }, { tmpAge: 60 }],
    ['tmpAge false', { tmpAge: false }, { tmpAge: undefined }],
    ['newAge "2h" / "2d"', { newAge: { warning: '2h', critical: '2d' } }, { newAge: { warning: 7200, critical: 172800 } }],
    ['newAge in seconds', { newAge: { warning: 60, critical: 120 } }, { newAge: { warning: 60, critical: 120 } }],
    ['newAge false (an archive nobody reads)', { newAge: false }, { newAge: undefined }],
    ['freeSpace "10%" / "2G"', { freeSpace: { warning: '10%', critical: '2G' } }, { freeSpace: { warning: { percent: 10 }, critical: { bytes: 2 * GiB } } }],
    ['freeSpace in bytes', { freeSpace: { warning: 4096, critical: 1024 } }, { freeSpace: { warning: { bytes: 4096 }, critical: { bytes: 1024 } } }],
    ['freeSpace false', { freeSpace: false }, { freeSpace: undefined }],
    ['freeInodes as numbers of inodes', { freeInodes: { warning: 1000, critical: 100 } }, { freeInodes: { warning: { bytes: 1000 }, critical: { bytes: 100 } } }],
    ['freeInodes "0.5%"', { freeInodes: { warning: '0.5%', critical: '0.1%' } }, { freeInodes: { warning: { percent: 0.5 }, critical: { percent: 0.1 } } }],
    ['freeInodes false', { freeInodes: false }, { freeInodes: undefined }],
    ['curFiles 500', { curFiles: 500 }, { curFiles: 500 }],
    ['curFiles false', { curFiles: false }, { curFiles: undefined }],
    ['curSize "10M"', { curSize: '10M' }, { curSize: 10 * MiB }],
    ['curSize in bytes', { curSize: 2048 }, { curSize: 2048 }],
    ['curSize false', { curSize: false }, { curSize: undefined }],
    ['journalSize "1M"', { journalSize: '1M' }, { journalSize: MiB }],
    ['journalSize false', { journalSize: false }, { journalSize: undefined }],
  ];
  for (const [name, raw, changed] of overrides) {
    it(`${name}: that key changes, every other keeps its default`, () => {
      const applied = applyThresholds(DEFAULT_THRESHOLDS, raw, 'check');
      assert.deepEqual(applied, { ok: true, value: { ...DEFAULT_THRESHOLDS, ...changed } });
    });
  }

  it('several keys at once, some turned off', () => {
    const applied = applyThresholds(
      DEFAULT_THRESHOLDS,
      { tmpAge: '1d', newAge: false, curFiles: 3, freeInodes: false },
      'check',
    );
    assert.deepEqual(applied, {
      ok: true,
      value: { ...DEFAULT_THRESHOLDS, tmpAge: 86400, newAge: undefined, curFiles: 3, freeInodes: undefined },
    });
  });

  it("a target's `check` goes over the global one, not over the defaults", () => {
    const global = applyThresholds(DEFAULT_THRESHOLDS, { tmpAge: '48h', curFiles: 50 }, 'check');
    assert.ok(global.ok);
    const own = applyThresholds<TargetThresholds>(global.value, { curFiles: 7 }, 'targets[1].check');
    assert.deepEqual(own, { ok: true, value: { ...global.value, tmpAge: 48 * 3600, curFiles: 7 } });
  });

  it("a target's `check` can turn on again what the global one turned off", () => {
    const global = applyThresholds(DEFAULT_THRESHOLDS, { newAge: false }, 'check');
    assert.ok(global.ok);
    assert.equal(global.value.newAge, undefined);
    const own = applyThresholds<TargetThresholds>(
      global.value,
      { newAge: { warning: '5m' } },
      'targets[0].check',
    );
    assert.ok(own.ok);
    assert.deepEqual(own.value.newAge, { warning: 300, critical: undefined });
  });

  // A levels object names the levels it changes; the others keep what they were: the default
  // for the global `check`, the global one for a target's.
  // prettier-ignore
  const partial: [string, RawThresholds, Partial<Thresholds>][] = [
    ['freeSpace warning only', { freeSpace: { warning: '10%' } }, { freeSpace: { warning: { percent: 10 }, critical: { percent: 1 } } }],
    ['freeSpace critical only', { freeSpace: { critical: '2G' } }, { freeSpace: { warning: { percent: 5 }, critical: { bytes: 2 * GiB } } }],
    ['freeInodes warning only', { freeInodes: { warning: 1000 } }, { freeInodes: { warning: { bytes: 1000 }, critical: { percent: 1 } } }],
    ['newAge warning only', { newAge: { warning: '2h' } }, { newAge: { warning: 7200, critical: 86400 } }],
    ['newAge critical only', { newAge: { critical: '3d' } }, { newAge: { warning: 3600, critical: 3 * 86400 } }],
    ['an empty levels object', { newAge: {} }, {}],
  ];
  for (const [name, raw, changed] of partial) {
    it(`${name}: the level not named keeps its default`, () => {
      const applied = applyThresholds(DEFAULT_THRESHOLDS, raw, 'check');
      assert.deepEqual(applied, { ok: true, value: { ...DEFAULT_THRESHOLDS, ...changed } });
    });
  }

  it("a target's levels object keeps the global level it does not name, not the default", () => {
    const global = applyThresholds(
      DEFAULT_THRESHOLDS,
      { freeSpace: { warning: '20%', critical: '10%' }, newAge: { warning: '2h', critical: '2d' } },
      'check',
    );
    assert.ok(global.ok);
    const own = applyThresholds<TargetThresholds>(
      global.value,
      { freeSpace: { warning: '30%' }, newAge: { critical: '7d' } },
      'targets[0].check',
    );
    assert.ok(own.ok);
    assert.deepEqual(own.value.freeSpace, { warning: { percent: 30 }, critical: { percent: 10 } });
    assert.deepEqual(own.value.newAge, { warning: 7200, critical: 7 * 86400 });
  });

  it('a bad level is reported even when the other is inherited', () => {
    assert.deepEqual(applyThresholds(DEFAULT_THRESHOLDS, { freeSpace: { critical: 'x' } }, 'check'), {
      ok: false,
      problem: 'check.freeSpace: critical: "x" is not valid here',
    });
  });

  it('does not change its base', () => {
    const base = { ...DEFAULT_THRESHOLDS };
    applyThresholds(base, { tmpAge: false, curFiles: 1 }, 'check');
    assert.deepEqual(base, DEFAULT_THRESHOLDS);
  });

  // A bad value: the problem, with the JSON path the caller gave.
  // prettier-ignore
  const problems: [string, RawThresholds, string, string][] = [
    ['tmpAge "36x"', { tmpAge: '36x' }, 'check', 'check.tmpAge: must be a duration such as "36h", or false'],
    ['tmpAge 0', { tmpAge: 0 }, 'check', 'check.tmpAge: must be a duration such as "36h", or false'],
    ['tmpAge "36" (no unit)', { tmpAge: '36' }, 'check', 'check.tmpAge: must be a duration such as "36h", or false'],
    ['a target\'s tmpAge', { tmpAge: '1 day' }, 'targets[2].check', 'targets[2].check.tmpAge: must be a duration such as "36h", or false'],
    ['newAge warning "1y"', { newAge: { warning: '1y' } }, 'check', 'check.newAge: warning: "1y" is not valid here'],
    ['newAge critical -1', { newAge: { warning: '1h', critical: -1 } }, 'targets[0].check', 'targets[0].check.newAge: critical: -1 is not valid here'],
    ['freeSpace critical "101%"', { freeSpace: { critical: '101%' } }, 'check', 'check.freeSpace: critical: "101%" is not valid here'],
    ['freeSpace warning "1T"', { freeSpace: { warning: '1T' } }, 'check', 'check.freeSpace: warning: "1T" is not valid here'],
    ['freeInodes warning "lots"', { freeInodes: { warning: 'lots' } }, 'check', 'check.freeInodes: warning: "lots" is not valid here'],
    ['curSize "1T"', { curSize: '1T' }, 'check', 'check.curSize: must be a size such as "1G", or false'],
    ['curSize "1.5G"', { curSize: '1.5G' }, 'check', 'check.curSize: must be a size such as "1G", or false'],
    ['journalSize "big"', { journalSize: 'big' }, 'check', 'check.journalSize: must be a size such as "256M", or false'],
  ];
  for (const [name, raw, path, problem] of problems) {
    it(`${name} → ${JSON.stringify(problem)}`, () => {
      assert.deepEqual(applyThresholds(DEFAULT_THRESHOLDS, raw, path), { ok: false, problem });
    });
  }
});

describe('parseAmount', () => {
  // prettier-ignore
  const table: [string | number, Amount | undefined][] = [
    ['5%', { percent: 5 }],
    ['0.5%', { percent: 0.5 }],
    ['99.99%', { percent: 99.99 }],
    ['0%', { percent: 0 }],
    ['1G', { bytes: GiB }],
    ['512M', { bytes: 512 * MiB }],
    ['100K', { bytes: 102400 }],
    ['4096', { bytes: 4096 }],
    [1048576, { bytes: 1048576 }],
    ['100%', undefined],
    ['5 %', undefined],
    ['%', undefined],
    ['-5%', undefined],
    ['.5%', undefined],
    ['5%%', undefined],
    ['1T', undefined],
    ['1g', undefined],
    ['', undefined],
    [0, undefined],
    [-1, undefined],
    [1.5, undefined],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseAmount(value), expected));
  }
});
