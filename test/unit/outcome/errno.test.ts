// Narrowing of thrown values to an errno code and a message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errnoOf, messageOf } from '../../../src/outcome/errno';

describe('errnoOf', () => {
  // prettier-ignore
  const table: [string, unknown, string | undefined][] = [
    ['a Node system error', Object.assign(new Error('x'), { code: 'ENOENT' }), 'ENOENT'],
    ['a plain object with a string code', { code: 'EACCES' }, 'EACCES'],
    ['an Error without code', new Error('x'), undefined],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
    ['a string', 'ENOENT', undefined],
    ['a number', 2, undefined],
    ['an object without code or errno', { message: 'x' }, undefined],
    ['only a numeric errno: its name', { errno: -2 }, 'ENOENT'],
    ['a positive errno: its name', { errno: 13 }, 'EACCES'],
    ['EDQUOT, which libuv in Node 20 cannot name', { code: 'Unknown system error -122', errno: -122 }, 'EDQUOT'],
    ['an unknown errno number: the code as is', { code: 'Unknown system error -9999', errno: -9999 }, 'Unknown system error -9999'],
    ['an unknown errno number and no code', { errno: -9999 }, undefined],
    ['a Node (non-errno) code', { code: 'ERR_INVALID_ARG_TYPE' }, 'ERR_INVALID_ARG_TYPE'],
    ['a numeric code', { code: 2 }, undefined],
    ['a null code', { code: null }, undefined],
    ['a code that is an object', { code: { toString: () => 'ENOENT' } }, undefined],
    ['a function with a code', Object.assign(() => undefined, { code: 'EIO' }), undefined],
    ['an inherited code', Object.create({ code: 'EPERM' }) as unknown, 'EPERM'],
  ];
  for (const [title, value, expected] of table) {
    it(`${title} → ${String(expected)}`, () => assert.equal(errnoOf(value), expected));
  }
});

describe('messageOf', () => {
  // prettier-ignore
  const table: [string, unknown, string][] = [
    ['an Error: its message, no stack', new Error('boom'), 'boom'],
    ['a string', 'text', 'text'],
    ['a number', 42, '42'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
  ];
  for (const [title, value, expected] of table) {
    it(`${title} → ${JSON.stringify(expected)}`, () => assert.equal(messageOf(value), expected));
  }
});
