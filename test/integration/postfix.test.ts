// End to end with a real MTA: Debian's Postfix delivers through a `|maildir-fanout --config …`
// line in a user's ~/.forward (README, "Use"), with its own environment (PATH=/usr/bin:/bin, the
// queue directory as cwd, the recipient's uid) and its own reading of our exit status and stderr
// (anchors-mda.md §4): a message injected with Postfix's sendmail reaches every target once and
// byte-exact; a broken target makes Postfix defer, never bounce, and deliver on the retry.
//
// Needs root (it configures and starts the system Postfix and creates a user; see
// postfix-helpers.ts); skipped otherwise. CI installs Postfix in .ci/run: there, a missing Postfix
// fails the suite instead of skipping it.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asRoot } from './harness';
import {
  escapeRegExp,
  postfixInstalled,
  RECIPIENT,
  SENDER,
  setUpPostfix,
  waitFor,
  type Postfix,
} from './postfix-helpers';

const skip = !asRoot
  ? 'needs root: configures and starts the system Postfix and creates a user (CI runs as root)'
  : !postfixInstalled() && process.env.CI !== 'true'
    ? 'Postfix is not installed (apt-get install postfix, as .ci/run does)'
    : false;

/** A message as injected: header lines and body, as bytes (latin1 strings map them one to one). */
interface TestMessage {
  readonly label: string;
  readonly headers: readonly string[];
  readonly body: string;
}

const bytes = (message: TestMessage): Buffer =>
  Buffer.from(`${message.headers.join('\n')}\n\n${message.body}`, 'latin1');

/** What local(8) puts before the message for a `|command` (prepend_delivered_header, Return-Path). */
const PREPENDED = `Return-Path: <${SENDER}>\nX-Original-To: ${RECIPIENT}\nDelivered-To: ${RECIPIENT}\n`;

function messages(run: string): TestMessage[] {
  const id = (label: string): string => `<${label}.${run}@maildir-fanout.test>`;
  const common = (label: string, subject: string): string[] => [
    'From: Build Bot <sender@localhost>',
    `To: ${RECIPIENT}`,
    `Subject: ${subject}`,
    'Date: Mon, 06 Jan 2025 10:00:00 +0000',
    `Message-ID: ${id(label)}`,
  ];
  const allHighBytes = Array.from({ length: 8 }, (_, row) =>
    String.fromCharCode(...Array.from({ length: 16 }, (_, col) => 0x80 + row * 16 + col)),
  ).join('\n');
  const attachment = randomBytes(5 * 1024 * 1024)
    .toString('base64')
    .replace(/.{76}/g, '$&\n')
    .replace(/\n?$/, '\n');
  return [
    {
      label: '8-bit',
      headers: [
        ...common('8bit', 'caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 and latin-1 \xe9t\xe9 \xff'),
        'X-Latin1: na\xefve',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
      ],
      body: `8-bit body, ${run}\nUTF-8: \xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa7\nevery high byte:\n${allHighBytes}\nend\n`,
    },
    {
      label: 'folded headers',
      headers: [
        'From: Build Bot <sender@localhost>',
        `To: ${RECIPIENT},`,
        '  first-consumer@example.org,',
        '\tsecond-consumer@example.org',
        'Subject: a subject long enough to be folded over several lines, as commit mail subjects',
        ' often are: [buildbot] 4711 files changed in src/ and test/ and docs/ by several',
        '\tauthors',
        `Message-ID: ${id('folded')}`,
        'References:',
        ...Array.from({ length: 60 }, (_, i) => ` <ref-${i}.${'x'.repeat(40)}@example.org>`),
        `X-Long: ${'y'.repeat(900)}`,
        '\tcontinued after a 900-byte line',
      ],
      body: `folded headers, ${run}\n`,
    },
    {
      label: '5 MiB attachment',
      headers: [
        ...common('attachment', 'a 5 MiB attachment'),
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="b-${run}"`,
      ],
      body: [
        `--b-${run}`,
        'Content-Type: text/plain',
        '',
        `5 MiB attachment, ${run}`,
        `--b-${run}`,
        'Content-Type: application/octet-stream',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="random.bin"',
        '',
        `${attachment}--b-${run}--`,
        '',
      ].join('\n'),
    },
    {
      label: 'lone dot',
      headers: common('dot', 'a line with a single dot'),
      body: `lone dot, ${run}\n.\n..\n. \n.x\nthe last line is a dot too\n.\n`,
    },
    {
      // No Date and no Message-ID: Postfix's cleanup adds both.
      label: 'plain text',
      headers: ['From: sender@localhost', `To: ${RECIPIENT}`, 'Subject: plain text, no Date, no Message-ID'],
      body: `plain text, ${run}\nFrom the start, a body line that mbox would quote\n>From already quoted\n\nlast\n`,
    },
  ];
}

/** The header section (with its final newline) and the body of a delivered file. */
function split(file: Buffer): { header: string; body: string } {
  const text = file.toString('latin1');
  const end = text.indexOf('\n\n');
  assert.ok(end >= 0, 'a delivered file has a header/body separator');
  return { header: text.slice(0, end + 1), body: text.slice(end + 2) };
}

/** The delivered files in new/ of `maildir` whose body is `body`, as bytes. */
function copiesOf(maildir: string, body: string): Buffer[] {
  return readdirSync(join(maildir, 'new'))
    .map((name) => readFileSync(join(maildir, 'new', name)))
    .filter((file) => split(file).body === body);
}

function assertTmpEmpty(maildirs: readonly string[]): void {
  for (const dir of maildirs) assert.deepEqual(readdirSync(join(dir, 'tmp')), [], `${dir}/tmp is empty`);
}

/** `lines` appear in `header`, whole and in this order (other lines may come between). */
function assertHeaderLines(header: string, lines: readonly string[], label: string): void {
  const delivered = header.split('\n');
  let at = 0;
  for (const line of lines) {
    const found = delivered.indexOf(line, at);
    assert.ok(
      found >= 0,
      `${label}: header line ${JSON.stringify(line)} is in the copy, in order:\n${header}`,
    );
    at = found + 1;
  }
}

describe('maildir-fanout under a real Postfix (|command in ~/.forward)', { skip }, () => {
  let started: Postfix | undefined;
  const postfix = (): Postfix => {
    assert.ok(started !== undefined, 'Postfix was set up');
    return started;
  };

  before(async () => {
    if (!postfixInstalled()) {
      throw new Error('CI=true but Postfix is not installed: .ci/run must apt-get install postfix');
    }
    started = await setUpPostfix();
  });
  after(async () => {
    await started?.tearDown();
  });

  it('messages injected with sendmail (8-bit, folded headers, 5 MiB attachment, a lone ".", plain text): every maildir gets exactly one copy of each, byte-identical across maildirs, = Postfix trace headers for the user + every injected header line + the exact body, no From_ line, tmp/ empty', async () => {
    const run = randomUUID();
    const sent = messages(run);
    const { maildirs } = postfix();
    for (const message of sent) postfix().inject(bytes(message));

    const mine = (): boolean =>
      postfix()
        .queue()
        .some((entry) => entry.recipients.some((r) => r.address === RECIPIENT));
    await waitFor(
      `${sent.length} copies in each maildir and an empty queue`,
      () => {
        if (/status=(deferred|bounced)/.test(postfix().log())) {
          throw new Error(`Postfix did not deliver a message\n${postfix().describe()}`);
        }
        const complete = maildirs.every((dir) => readdirSync(join(dir, 'new')).length >= sent.length);
        return complete && !mine() ? true : undefined;
      },
      () => postfix().describe(),
    );

    for (const dir of maildirs) {
      assert.equal(
        readdirSync(join(dir, 'new')).length,
        sent.length,
        `${dir}/new holds one file per message`,
      );
    }
    assertTmpEmpty(maildirs);
    for (const message of sent) {
      const copies = maildirs.map((dir) => copiesOf(dir, message.body));
      for (const [i, found] of copies.entries()) {
        assert.equal(found.length, 1, `${message.label}: exactly one copy in ${maildirs[i]!}`);
      }
      const [first, ...others] = copies.map((found) => found[0]!);
      for (const other of others) {
        assert.ok(first!.equals(other), `${message.label}: the copies are identical`);
      }

      const { header } = split(first!);
      assert.ok(
        header.startsWith(PREPENDED),
        `${message.label}: the copy starts with Postfix's Return-Path, X-Original-To and Delivered-To for ${RECIPIENT}:\n${header}`,
      );
      assert.doesNotMatch(header, /^From /m, `${message.label}: no mbox From_ line in the copy`);
      assert.match(header, /^Received: by localhost\.localdomain \(Postfix/m, `${message.label}: Received`);
      assertHeaderLines(header, message.headers, message.label);
      if (!message.headers.some((line) => line.startsWith('Message-ID:'))) {
        assert.match(header, /^Message-Id: <[^>]+>$/m, `${message.label}: Postfix added a Message-Id`);
        assert.match(header, /^Date: /m, `${message.label}: Postfix added a Date`);
      }
    }
    assert.doesNotMatch(postfix().log(), /status=(deferred|bounced)/, 'nothing deferred or bounced');
  });

  const breakages = [
    {
      name: "target b's tmp/ not writable (0500)",
      dsn: '4.2.0',
      cause: 'permission denied',
      breakIt: (dir: string) => chmodSync(join(dir, 'tmp'), 0o500),
      fixIt: (dir: string) => chmodSync(join(dir, 'tmp'), 0o700),
    },
    {
      name: "target b's maildir renamed away",
      dsn: '4.2.1',
      cause: 'does not exist',
      breakIt: (dir: string) => renameSync(dir, `${dir}.away`),
      fixIt: (dir: string) => renameSync(`${dir}.away`, dir),
    },
  ];
  for (const { name, dsn, cause, breakIt, fixIt } of breakages) {
    it(`${name}: Postfix defers (dsn ${dsn} and the tool's text in the log, the message stays in the deferred queue), no target gets a copy, no bounce; after the fix, postqueue -f delivers exactly one copy to every target`, async (t) => {
      const { maildirs } = postfix();
      const broken = maildirs[1]!;
      const messageId = `<deferred.${randomUUID()}@maildir-fanout.test>`;
      const body = `deferred while ${name}\n`;
      const message = bytes({
        label: name,
        headers: [
          'From: sender@localhost',
          `To: ${RECIPIENT}`,
          `Subject: ${name}`,
          `Message-ID: ${messageId}`,
        ],
        body,
      });
      const statusLine = (id: string, status: string): RegExp =>
        new RegExp(`^.* ${id}: to=<${escapeRegExp(RECIPIENT)}>, .*status=${status} .*$`, 'm');

      breakIt(broken);
      let id: string;
      try {
        postfix().inject(message);
        id = await postfix().queueId(messageId);
        const entry = await waitFor(
          `${id} in the deferred queue`,
          () => {
            if (statusLine(id, 'bounced').test(postfix().log())) {
              throw new Error(`Postfix bounced ${id}\n${postfix().describe()}`);
            }
            return postfix()
              .queue()
              .find((e) => e.queue_id === id && e.queue_name === 'deferred');
          },
          () => postfix().describe(),
        );
        const logged = await waitFor(
          `the log line of ${id}'s deferral`,
          () => statusLine(id, 'deferred').exec(postfix().log())?.[0],
          () => postfix().describe(),
        );
        t.diagnostic(`Postfix logged: ${logged}`);
        assert.match(
          logged,
          new RegExp(
            `relay=local, .*dsn=${escapeRegExp(dsn)}, status=deferred \\(maildir-fanout: target b: .*${escapeRegExp(broken)}.*${cause}`,
          ),
        );
        assert.match(entry.recipients[0]?.delay_reason ?? '', /^maildir-fanout: target b: /);
        for (const dir of [maildirs[0]!, maildirs[2]!]) {
          assert.deepEqual(copiesOf(dir, body), [], `no copy in ${dir}`);
        }
        assertTmpEmpty([maildirs[0]!, maildirs[2]!]);
        assert.doesNotMatch(postfix().log(), statusLine(id, 'bounced'), 'not bounced');
        assert.doesNotMatch(postfix().log(), /sender non-delivery notification/, 'no bounce message');
        assert.ok(
          postfix()
            .queue()
            .every((e) => e.sender !== ''),
          `no bounce message (from MAILER-DAEMON) in the queue\n${postfix().describe()}`,
        );
      } finally {
        fixIt(broken);
      }
      assert.deepEqual(copiesOf(broken, body), [], `no copy in ${broken}`);
      assertTmpEmpty([broken]);

      postfix().flush();
      await waitFor(
        `${id} delivered and gone from the queue`,
        () =>
          statusLine(id, 'sent').test(postfix().log()) &&
          !postfix()
            .queue()
            .some((e) => e.queue_id === id)
            ? true
            : undefined,
        () => postfix().describe(),
      );
      const copies = maildirs.map((dir) => copiesOf(dir, body));
      for (const [i, found] of copies.entries()) {
        assert.equal(found.length, 1, `exactly one copy in ${maildirs[i]!}`);
        assert.ok(found[0]!.equals(copies[0]![0]!), 'the copies are identical');
      }
      assertTmpEmpty(maildirs);
      assert.doesNotMatch(postfix().log(), statusLine(id, 'bounced'), 'not bounced');
    });
  }
});
