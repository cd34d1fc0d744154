// Which MTA started us, from the variables it sets for a |command (anchors-mda.md §4.2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectCaller, type EnvironmentVariables, type Mta } from '../../../src/mta/caller';

const QMAIL = {
  SENDER: 's@example.org',
  NEWSENDER: 's@example.org',
  RECIPIENT: 'bb-foo@example.org',
  USER: 'bb',
  HOME: '/home/bb',
  HOST: 'example.org',
  LOCAL: 'bb-foo',
  EXT: 'foo',
  RPLINE: 'Return-Path: <s@example.org>\n',
  DTLINE: 'Delivered-To: bb-foo@example.org\n',
  UFLINE: 'From s@example.org Sat Nov 28 14:00:00 2026\n',
};
const POSTFIX = {
  SHELL: '/bin/sh',
  HOME: '/home/bb',
  USER: 'bb',
  LOGNAME: 'bb',
  LOCAL: 'bb',
  DOMAIN: 'example.org',
  RECIPIENT: 'bb@example.org',
  ORIGINAL_RECIPIENT: 'bb@example.org',
  SENDER: 's@example.org',
  CLIENT_ADDRESS: '192.0.2.1',
};
const EXIM = {
  LOCAL_PART: 'bb',
  LOGNAME: 'bb',
  USER: 'bb',
  DOMAIN: 'example.org',
  HOME: '/home/bb',
  MESSAGE_ID: '1abcDE-000123-Fg',
  PATH: '/bin:/usr/bin',
  RECIPIENT: 'bb@example.org',
  QUALIFY_DOMAIN: 'example.org',
  SENDER: 's@example.org',
  SHELL: '/bin/sh',
};

describe('detectCaller: which MTA', () => {
  // prettier-ignore
  const table: [string, EnvironmentVariables, Mta, string[]][] = [
    ['nothing set: by hand', {}, 'unknown', []],
    ['a login shell: by hand', { HOME: '/home/bb', USER: 'bb', PATH: '/usr/bin:/bin', SHELL: '/bin/bash' }, 'unknown', []],
    ['qmail-local: RPLINE and DTLINE', QMAIL, 'qmail', ['RPLINE', 'DTLINE']],
    ['RPLINE alone is not qmail', { RPLINE: 'Return-Path: <s@x>\n' }, 'unknown', []],
    ['DTLINE alone is not qmail', { DTLINE: 'Delivered-To: a@x\n' }, 'unknown', []],
    ['empty RPLINE and DTLINE still say qmail (set, if empty)', { RPLINE: '', DTLINE: '' }, 'qmail', ['RPLINE', 'DTLINE']],
    ['Postfix local(8): ORIGINAL_RECIPIENT', POSTFIX, 'postfix', ['ORIGINAL_RECIPIENT']],
    ['Postfix without ORIGINAL_RECIPIENT (before 2.5): unknown', { ...POSTFIX, ORIGINAL_RECIPIENT: undefined }, 'unknown', []],
    ['Exim pipe: MESSAGE_ID, LOCAL_PART, QUALIFY_DOMAIN', EXIM, 'exim', ['MESSAGE_ID', 'LOCAL_PART', 'QUALIFY_DOMAIN']],
    ['Exim without QUALIFY_DOMAIN: unknown', { ...EXIM, QUALIFY_DOMAIN: undefined }, 'unknown', []],
    ['Exim without MESSAGE_ID: unknown', { ...EXIM, MESSAGE_ID: undefined }, 'unknown', []],
    ['sendmail: AGENT=sendmail', { AGENT: 'sendmail', SENDER: 's@x' }, 'sendmail', ['AGENT']],
    ['AGENT of another value is not sendmail', { AGENT: 'procmail' }, 'unknown', []],
    ['AGENT in capitals is not sendmail', { AGENT: 'SENDMAIL' }, 'unknown', []],
    ['qmail wins over Postfix variables', { ...POSTFIX, ...QMAIL }, 'qmail', ['RPLINE', 'DTLINE']],
    ['Postfix wins over Exim variables', { ...EXIM, ...POSTFIX }, 'postfix', ['ORIGINAL_RECIPIENT']],
    ['Exim wins over AGENT=sendmail', { ...EXIM, AGENT: 'sendmail' }, 'exim', ['MESSAGE_ID', 'LOCAL_PART', 'QUALIFY_DOMAIN']],
  ];
  for (const [title, env, mta, evidence] of table) {
    it(title, () => {
      const caller = detectCaller(env);
      assert.deepEqual([caller.mta, caller.evidence], [mta, evidence]);
    });
  }
});

describe('detectCaller: envelope data, unsanitised', () => {
  it('SENDER, RECIPIENT, RPLINE and DTLINE are passed on as given', () => {
    const caller = detectCaller(QMAIL);
    assert.deepEqual(
      [caller.sender, caller.recipient, caller.rpline, caller.dtline],
      [QMAIL.SENDER, QMAIL.RECIPIENT, QMAIL.RPLINE, QMAIL.DTLINE],
    );
  });

  it('unset variables are undefined', () => {
    const caller = detectCaller({});
    assert.deepEqual(
      [caller.sender, caller.recipient, caller.rpline, caller.dtline],
      [undefined, undefined, undefined, undefined],
    );
  });

  it('SENDER and RECIPIENT are read whatever the MTA (by hand too)', () => {
    const caller = detectCaller({ SENDER: 'a@x', RECIPIENT: 'b@y' });
    assert.deepEqual([caller.mta, caller.sender, caller.recipient], ['unknown', 'a@x', 'b@y']);
  });

  it('a hostile value is data: kept byte for byte (header-value.ts sanitises it later)', () => {
    const hostile = 'x@y\r\nBcc: victim@example.org\u0000';
    assert.equal(detectCaller({ SENDER: hostile }).sender, hostile);
  });

  it('the empty SENDER of a bounce stays empty, not undefined', () => {
    assert.equal(detectCaller({ SENDER: '' }).sender, '');
  });
});
