// What rules see of a header: the decoded, trimmed values of a field, and the addresses of an
// address field (README, "Routing"), with a fake address parser and with nodemailer's.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { headerFields } from '../../../src/message/header-fields';
import { loadAddressParser } from '../../../src/route/address-parser';
import { headerView, type AddressParser, type HeaderView } from '../../../src/route/header-view';

const HEADER = [
  'From sender@example.org Sat Nov 28 14:00:00 2026',
  'Received: from a by b',
  'Subject: =?UTF-8?Q?caf=C3=A9?= [macos]',
  'X-Git-Repo:   gstreamer  ',
  'received: from c by d',
  'X-Folded: first',
  '\tsecond',
  '  third',
  'To: "Jane Doe" <Jane@Example.org>, ops: a@b.c, d@e.f;',
  'Cc: x@y.z',
  'CC: THROW',
  'Cc: w@v.u',
  'X-Empty:',
  'X-Latin1: caf\u00e9',
  '',
  'Subject: in the body',
  '',
].join('\n');

/** A parser that splits on commas, records what it is given, and throws on "THROW". */
function fakeParser(): { parse: AddressParser; calls: string[] } {
  const calls: string[] = [];
  const parse: AddressParser = (text) => {
    calls.push(text);
    if (text.includes('THROW')) throw new Error('cannot parse');
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  };
  return { parse, calls };
}

const viewOf = (text: string, parse: AddressParser): HeaderView =>
  headerView(headerFields(Buffer.from(text, 'latin1')), parse);

describe('headerView: values', () => {
  const view = viewOf(HEADER, fakeParser().parse);

  // prettier-ignore
  const table: [string, string, string[]][] = [
    ['one field, encoded words decoded; the Subject line in the body is not seen', 'Subject', ['café [macos]']],
    ['the name in any case', 'sUBJECT', ['café [macos]']],
    ['repeated fields in header order, whatever the case of their names', 'Received', ['from a by b', 'from c by d']],
    ['trimmed', 'X-Git-Repo', ['gstreamer']],
    ['folded lines unfolded (the line ends go, the white space stays)', 'X-Folded', ['first\tsecond  third']],
    ['an empty field is an empty value', 'X-Empty', ['']],
    ['raw 8-bit bytes, not UTF-8: Windows-1252', 'X-Latin1', ['café']],
    ['a missing field: no value', 'X-Missing', []],
    ['the From_ line is not a field', 'From', []],
    ['an address field has its text as values too', 'To', ['"Jane Doe" <Jane@Example.org>, ops: a@b.c, d@e.f;']],
  ];
  for (const [title, name, values] of table) {
    it(`${title}: ${name}`, () => assert.deepEqual(view.values(name), values));
  }

  it('raw UTF-8 bytes are read as UTF-8', () => {
    const utf8 = Buffer.concat([Buffer.from('Subject: caf'), Buffer.from('é', 'utf8'), Buffer.from('\n\n')]);
    assert.deepEqual(headerView(headerFields(utf8), fakeParser().parse).values('Subject'), ['café']);
  });

  it('CRLF line ends and folding', () => {
    const crlf = viewOf('Subject: =?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=\r\n\r\n', fakeParser().parse);
    assert.deepEqual(crlf.values('subject'), ['ab']);
  });

  it('a field decoded once: the same array on every call, in any case', () => {
    const first = view.values('Received');
    assert.equal(view.values('RECEIVED'), first);
  });
});

describe('headerView: addresses, with a fake parser', () => {
  it('every field of that name, in order; a throwing parser gives [] for that field only', () => {
    const { parse, calls } = fakeParser();
    const view = viewOf(HEADER, parse);
    assert.deepEqual(view.addresses('cc'), ['x@y.z', 'w@v.u']);
    assert.deepEqual(calls, [' x@y.z', ' THROW', ' w@v.u']);
  });

  it('the parser is called once per field and name, whatever the case and number of calls', () => {
    const { parse, calls } = fakeParser();
    const view = viewOf(HEADER, parse);
    for (let i = 0; i < 3; i++) {
      view.addresses('Cc');
      view.addresses('CC');
      view.addresses('cc');
    }
    assert.equal(calls.length, 3);
  });

  it('values() never calls the parser', () => {
    const { parse, calls } = fakeParser();
    const view = viewOf(HEADER, parse);
    view.values('To');
    view.values('Cc');
    assert.deepEqual(calls, []);
  });

  it('a missing field: no address, and the parser is not called', () => {
    const { parse, calls } = fakeParser();
    assert.deepEqual(viewOf(HEADER, parse).addresses('Reply-To'), []);
    assert.deepEqual(calls, []);
  });

  it('the parser gets the unfolded text, 8-bit bytes decoded', () => {
    const { parse, calls } = fakeParser();
    viewOf('To: a@b,\n c@d\nCc: J\u00e9r\u00f4me <j@x>\n\n', parse).addresses('to');
    viewOf('Cc: J\u00e9r\u00f4me <j@x>\n\n', parse).addresses('cc');
    assert.deepEqual(calls, [' a@b, c@d', ' Jérôme <j@x>']);
  });
});

describe("headerView: addresses, with nodemailer's parser", () => {
  let parse: AddressParser;
  before(async () => {
    parse = await loadAddressParser();
  });

  /** [title, header, field name, addresses] */
  // prettier-ignore
  const table: [string, string, string, string[]][] = [
    ['a display name and an angle address', 'From: "Jane Doe" <Jane@Example.org>\n', 'From', ['Jane@Example.org']],
    ['a bare address', 'From: jane@example.org\n', 'From', ['jane@example.org']],
    ['a comment is left out', 'From: jane@example.org (Jane Doe)\n', 'From', ['jane@example.org']],
    ['the README example: group members included, display names left out', 'To: "Jane Doe" <Jane@Example.org>, ops: a@b.c;\n', 'To', ['Jane@Example.org', 'a@b.c']],
    ['a group flattened, with what follows it', 'To: Team: a@b, c@d; e@f\n', 'To', ['a@b', 'c@d', 'e@f']],
    ['an empty group holds no address', 'To: undisclosed-recipients:;\n', 'To', []],
    ['a display name alone holds no address', 'To: Jane Doe\n', 'To', []],
    ['a quoted display name that looks like an address is left out', 'From: "boss@example.org" <intern@example.net>\n', 'From', ['intern@example.net']],
    ['an encoded display name is left out', 'From: =?UTF-8?Q?J=C3=A9r=C3=B4me?= <j@example.org>\n', 'From', ['j@example.org']],
    ['a folded list', 'To: a@example.org,\n\tb@example.org\n', 'To', ['a@example.org', 'b@example.org']],
    ['repeated fields, in order', 'Cc: a@x.org\nSubject: s\ncc: b@x.org, c@x.org\n', 'CC', ['a@x.org', 'b@x.org', 'c@x.org']],
    ['empty entries skipped', 'To: a@x.org, , b@x.org\n', 'To', ['a@x.org', 'b@x.org']],
    ['an empty field', 'To:\n', 'To', []],
    ['the null reverse path', 'Return-Path: <>\n', 'Return-Path', []],
    ['a missing field', 'Subject: x\n', 'To', []],
  ];
  for (const [title, header, name, addresses] of table) {
    it(title, () => assert.deepEqual(viewOf(`${header}\nbody\n`, parse).addresses(name), addresses));
  }
});
