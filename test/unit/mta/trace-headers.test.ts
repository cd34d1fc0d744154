// Which trace headers go in front of the message, for each mode and caller.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectCaller, type EnvironmentVariables } from '../../../src/mta/caller';
import { traceHeaders, type TraceHeaderMode, type TraceHeaders } from '../../../src/mta/trace-headers';

const RP = 'Return-Path: <s@example.org>';
const DT = 'Delivered-To: bb-foo@example.org';
const QMAIL = {
  SENDER: 's@example.org',
  RECIPIENT: 'bb-foo@example.org',
  RPLINE: `${RP}\n`,
  DTLINE: `${DT}\n`,
};
const POSTFIX = {
  ORIGINAL_RECIPIENT: 'bb@example.org',
  SENDER: 's@example.org',
  RECIPIENT: 'bb@example.org',
};
const EXIM = {
  MESSAGE_ID: 'm',
  LOCAL_PART: 'bb',
  QUALIFY_DOMAIN: 'example.org',
  SENDER: 's@example.org',
  RECIPIENT: 'bb@example.org',
};
const HAND = { SENDER: 's@example.org', RECIPIENT: 'bb@example.org' };
const NONE: TraceHeaders = { text: '', deliveredTo: undefined };
const both = (rp: string, dt: string): TraceHeaders => ({ text: `${rp}\n${dt}\n`, deliveredTo: dt });

describe('traceHeaders', () => {
  // prettier-ignore
  const table: [string, TraceHeaderMode, EnvironmentVariables, TraceHeaders][] = [
    ['none, under qmail: nothing', 'none', QMAIL, NONE],
    ['none, under Postfix: nothing', 'none', POSTFIX, NONE],
    ['auto, under qmail: $RPLINE$DTLINE, as preline(1) does', 'auto', QMAIL, both(RP, DT)],
    ['auto, under Postfix: nothing (it prepends its own)', 'auto', POSTFIX, NONE],
    ['auto, under Exim: nothing', 'auto', EXIM, NONE],
    ['auto, by hand: nothing', 'auto', HAND, NONE],
    ['auto, sendmail: nothing', 'auto', { ...HAND, AGENT: 'sendmail' }, NONE],
    ['always, under qmail: qmail\'s own lines, not $SENDER/$RECIPIENT', 'always', { ...QMAIL, SENDER: 'other@x', RECIPIENT: 'other@y' }, both(RP, DT)],
    ['always, under Postfix: from $SENDER and $RECIPIENT; no loop check (Postfix adds that same line and checks it itself, local(8))', 'always', POSTFIX, { text: 'Return-Path: <s@example.org>\nDelivered-To: bb@example.org\n', deliveredTo: undefined }],
    ['always, under Exim: from $SENDER and $RECIPIENT', 'always', EXIM, both('Return-Path: <s@example.org>', 'Delivered-To: bb@example.org')],
    ['always, by hand with both set', 'always', HAND, both('Return-Path: <s@example.org>', 'Delivered-To: bb@example.org')],
    ['always, by hand, nothing set: nothing', 'always', {}, NONE],
    ['always, only $SENDER: Return-Path only, no loop check', 'always', { SENDER: 's@x' }, { text: 'Return-Path: <s@x>\n', deliveredTo: undefined }],
    ['always, only $RECIPIENT: Delivered-To only', 'always', { RECIPIENT: 'r@x' }, { text: 'Delivered-To: r@x\n', deliveredTo: 'Delivered-To: r@x' }],
    ['always, the null sender of a bounce: Return-Path: <>', 'always', { SENDER: '', RECIPIENT: 'r@x' }, both('Return-Path: <>', 'Delivered-To: r@x')],
    ['auto, qmail, the null sender: RPLINE "Return-Path: <>"', 'auto', { RPLINE: 'Return-Path: <>\n', DTLINE: `${DT}\n` }, both('Return-Path: <>', DT)],
    ['auto, qmail, RPLINE not a Return-Path line: Delivered-To only', 'auto', { RPLINE: 'Bcc: v@x\n', DTLINE: `${DT}\n` }, { text: `${DT}\n`, deliveredTo: DT }],
    ['auto, qmail, DTLINE not a Delivered-To line: Return-Path only, no loop check', 'auto', { RPLINE: `${RP}\n`, DTLINE: 'Bcc: v@x\n' }, { text: `${RP}\n`, deliveredTo: undefined }],
    ['auto, qmail, both empty: nothing', 'auto', { RPLINE: '', DTLINE: '' }, NONE],
  ];
  for (const [title, mode, env, expected] of table) {
    it(title, () => assert.deepEqual(traceHeaders(mode, detectCaller(env)), expected));
  }

  // prettier-ignore
  const hostile: [string, TraceHeaderMode, EnvironmentVariables][] = [
    ['always, CR/LF in $SENDER and $RECIPIENT', 'always', { SENDER: 'a@b>\r\nBcc: v@x\r\n<', RECIPIENT: 'r@x\nBcc: v@x' }],
    ['qmail, CR/LF in RPLINE and DTLINE', 'auto', { RPLINE: 'Return-Path: <a@b>\r\nBcc: v@x\n', DTLINE: 'Delivered-To: r@x\nBcc: v@x\n' }],
    ['always, 5000 characters each', 'always', { SENDER: 's'.repeat(5000), RECIPIENT: 'r'.repeat(5000) }],
    ['qmail, 5000 characters each', 'auto', { RPLINE: `Return-Path: <${'s'.repeat(5000)}>\n`, DTLINE: `Delivered-To: ${'r'.repeat(5000)}\n` }],
    ['always, every control character', 'always', { SENDER: String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i), 127), RECIPIENT: '\u0000\u001b\u007f' }],
  ];
  for (const [title, mode, env] of hostile) {
    it(`hostile values stay two lines of at most 998 characters, no control character: ${title}`, () => {
      const trace = traceHeaders(mode, detectCaller(env));
      const lines = trace.text.split('\n');
      assert.equal(lines.pop(), '', 'ends with a newline');
      assert.deepEqual(
        lines.map((line) => line.split(':')[0]),
        ['Return-Path', 'Delivered-To'],
      );
      for (const line of lines) {
        assert.ok(line.length <= 998, `${line.length} characters`);
        assert.doesNotMatch(line, /[\u0000-\u001f\u007f]/);
      }
      assert.equal(trace.deliveredTo, lines[1]);
    });
  }
});
