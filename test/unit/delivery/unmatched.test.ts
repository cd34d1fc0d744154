// A message no target's rule accepts (README, "Routing", `unmatched`): reject 5.7.1, defer 4.7.1,
// discard (ok, with a log line). The message is read to its end first, so the size limit (5.2.3)
// and the loop check (5.4.6) still speak first.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Settings } from '../../../src/config/types';
import { NO_TRACE } from '../../../src/delivery/deliver';
import { handleUnmatched, unmatchedOutcome } from '../../../src/delivery/unmatched';
import type { TraceHeaders } from '../../../src/mta/trace-headers';
import { ok, permanent, temporary, type Outcome } from '../../../src/outcome/outcome';
import { DEFAULT_THRESHOLDS } from '../../../src/check/thresholds';

const SETTINGS: Settings = {
  sizeLimit: 1000,
  timeoutSeconds: 900,
  hardLinks: true,
  journal: { enabled: true, dir: undefined, keepDays: 8 },
  traceHeaders: 'auto',
  quiet: false,
  log: '/var/log/mf.log',
  unmatched: { kind: 'discard' },
  check: DEFAULT_THRESHOLDS,
};
const BODY = 'Message-ID: <1@example.org>\nSubject: x\n\nbody\n';
const MESSAGE = `From sender@example.org Sat Nov 28 14:00:00 2026\n${BODY}`;
const DIGEST = createHash('sha256').update(BODY).digest('hex');
const DT = 'Delivered-To: bb@example.org';
const TRACE: TraceHeaders = { text: `${DT}\n`, deliveredTo: DT };
const NO_MATCH = "no target's match rule accepts this message";

function input(text: string): { chunks: AsyncIterable<Buffer>; finished: () => boolean } {
  let finished = false;
  return {
    chunks: (async function* () {
      for (let i = 0; i < text.length; i += 7) {
        await Promise.resolve();
        yield Buffer.from(text.slice(i, i + 7), 'latin1');
      }
      finished = true;
    })(),
    finished: () => finished,
  };
}

describe('unmatchedOutcome', () => {
  // prettier-ignore
  const table: ['reject' | 'defer' | 'discard', Outcome][] = [
    ['reject', permanent('5.7.1', `${NO_MATCH} (unmatched: reject)`)],
    ['defer', temporary('4.7.1', `${NO_MATCH} (unmatched: defer)`)],
    ['discard', ok],
  ];
  for (const [policy, outcome] of table) {
    it(`${policy} → ${outcome.kind === 'ok' ? 'ok' : outcome.status}`, () =>
      assert.deepEqual(unmatchedOutcome(policy), outcome));
  }
});

describe('handleUnmatched', () => {
  // prettier-ignore
  const table: ['reject' | 'defer' | 'discard', Outcome, boolean][] = [
    ['reject', permanent('5.7.1', `${NO_MATCH} (unmatched: reject)`), false],
    ['defer', temporary('4.7.1', `${NO_MATCH} (unmatched: defer)`), false],
    ['discard', ok, true],
  ];
  for (const [policy, outcome, discarded] of table) {
    it(`${policy}: its outcome, discarded ${discarded}; the message read to its end, its size, digest and Message-ID`, async () => {
      const message = input(MESSAGE);
      const result = await handleUnmatched(policy, message.chunks, SETTINGS, NO_TRACE);
      assert.deepEqual(result, {
        outcome,
        discarded,
        bytes: BODY.length,
        digest: DIGEST,
        messageId: '<1@example.org>',
      });
      assert.ok(message.finished());
    });

    it(`${policy}, over the size limit: 5.2.3 wins, not discarded, read to the end`, async () => {
      const message = input(MESSAGE);
      const result = await handleUnmatched(
        policy,
        message.chunks,
        { ...SETTINGS, sizeLimit: BODY.length - 1 },
        NO_TRACE,
      );
      assert.equal(result.outcome.kind, 'permanent');
      assert.equal(result.outcome.status, '5.2.3');
      assert.equal(result.discarded, false);
      assert.ok(message.finished());
    });

    it(`${policy}, exactly at the size limit: the policy's outcome`, async () => {
      const result = await handleUnmatched(
        policy,
        input(MESSAGE).chunks,
        { ...SETTINGS, sizeLimit: BODY.length },
        NO_TRACE,
      );
      assert.deepEqual(result.outcome, outcome);
    });

    it(`${policy}, a loop (our Delivered-To line already in the header): 5.4.6 wins, not discarded`, async () => {
      const looping = `${DT}\n${BODY}`;
      const result = await handleUnmatched(policy, input(looping).chunks, SETTINGS, TRACE);
      assert.deepEqual(
        result.outcome,
        permanent('5.4.6', `message is looping: it already has the line "${DT}"`),
      );
      assert.equal(result.discarded, false);
      assert.equal(result.bytes, looping.length);
    });

    it(`${policy}, the trace line in the body only: no loop`, async () => {
      const result = await handleUnmatched(policy, input(`${BODY}${DT}\n`).chunks, SETTINGS, TRACE);
      assert.deepEqual(result.outcome, outcome);
      assert.equal(result.discarded, discarded);
    });

    it(`${policy}, over the size limit and looping: 5.2.3 wins`, async () => {
      const looping = `${DT}\n${BODY}`;
      const result = await handleUnmatched(
        policy,
        input(looping).chunks,
        { ...SETTINGS, sizeLimit: 10 },
        TRACE,
      );
      assert.equal(result.outcome.kind === 'permanent' && result.outcome.status, '5.2.3');
    });
  }

  it('no Message-ID: messageId undefined', async () => {
    const result = await handleUnmatched('discard', input('Subject: x\n\nbody\n').chunks, SETTINGS, NO_TRACE);
    assert.equal(result.messageId, undefined);
    assert.equal(result.discarded, true);
  });

  it('the input fails while read: a temporary failure, not discarded', async () => {
    const failing = (async function* () {
      await Promise.resolve();
      yield Buffer.from('Subject: x\n');
      throw Object.assign(new Error('EIO: read'), { code: 'EIO' });
    })();
    const result = await handleUnmatched('discard', failing, SETTINGS, NO_TRACE);
    assert.deepEqual(result, {
      outcome: temporary('4.3.0', 'reading the message: input/output error (EIO)'),
      discarded: false,
    });
  });
});
