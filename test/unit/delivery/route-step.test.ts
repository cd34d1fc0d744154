// Routing as a step of a delivery: without rules nothing is read ahead (the input goes on as it
// came); with rules the header block is read, decoded and routed, and the whole input replayed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../../../src/config/types';
import { MAX_ROUTING_HEADER, routeStep } from '../../../src/delivery/route-step';
import { compileRule } from '../../../src/route/compile';

function target(name: string, match?: unknown, index = 0): Target {
  const base = { name, path: `/${name}`, mode: 0o600, create: false };
  if (match === undefined) return base;
  const compiled = compileRule(match, ['targets', index, 'match']);
  if (!compiled.ok) return assert.fail(compiled.problem);
  return { ...base, match: compiled.rule };
}

async function* chunks(text: string, size = 5): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text, 'latin1');
  for (let at = 0; at < bytes.length; at += size) {
    await Promise.resolve();
    yield bytes.subarray(at, at + size);
  }
}

async function drain(input: AsyncIterable<Buffer | string>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts).toString('latin1');
}

/** An input that fails the test if anything reads it. */
const untouchable: AsyncIterable<Buffer> = {
  [Symbol.asyncIterator]() {
    throw new Error('the input was read');
  },
};

const MESSAGE = [
  'From sender@example.org Sat Nov 28 14:00:00 2026',
  'Subject: =?UTF-8?Q?=5Bmacos=5D?= fix',
  'From: "Dev" <dev@gstreamer.net>',
  '',
  'Subject: [linux] in the body',
  '',
].join('\n');

describe('routeStep', () => {
  it('no rules: no plan, the same input object, nothing read', async () => {
    const routed = await routeStep([target('a'), target('b')], { kind: 'reject' }, untouchable);
    assert.equal(routed.plan, undefined);
    assert.equal(routed.input, untouchable);
  });

  it('no targets at all: no plan, nothing read', async () => {
    const routed = await routeStep([], { kind: 'reject' }, untouchable);
    assert.equal(routed.plan, undefined);
    assert.equal(routed.input, untouchable);
  });

  it('with rules: routes on the decoded header and replays every byte', async () => {
    const targets = [
      target('linux', { header: 'Subject', contains: '[linux]' }, 0),
      target('macos', { header: 'Subject', contains: '[macos]' }, 1),
      target('archive'),
    ];
    const routed = await routeStep(targets, { kind: 'reject' }, chunks(MESSAGE));
    assert.deepEqual(
      routed.plan?.selected.map((t) => t.name),
      ['macos', 'archive'],
    );
    assert.equal(await drain(routed.input), MESSAGE);
  });

  it('address rules: the address parser is loaded and used', async () => {
    const targets = [
      target('kernel', { address: 'From', glob: '*@kernel.org' }, 0),
      target('gst', { address: 'from', equals: 'DEV@gstreamer.net' }, 1),
    ];
    const routed = await routeStep(targets, { kind: 'reject' }, chunks(MESSAGE));
    assert.deepEqual(
      routed.plan?.routes.map((r) => [r.target.name, r.selected]),
      [
        ['kernel', false],
        ['gst', true],
      ],
    );
    assert.equal(
      routed.plan.routes[0]?.decision?.reason,
      'address From glob "*@kernel.org": no address matches ("dev@gstreamer.net")',
    );
  });

  it('the body is never seen by the rules', async () => {
    const routed = await routeStep(
      [target('linux', { header: 'Subject', contains: '[linux]' })],
      { kind: 'defer' },
      chunks(MESSAGE),
    );
    assert.equal(routed.plan?.unmatched, 'defer');
    assert.deepEqual(routed.plan.selected, []);
    assert.equal(await drain(routed.input), MESSAGE);
  });

  it('deliverTo: the fallback targets are selected', async () => {
    const targets = [
      target('linux', { header: 'Subject', contains: '[linux]' }),
      target('spare', { header: 'X-No', exists: true }, 1),
    ];
    const routed = await routeStep(targets, { kind: 'deliverTo', targets: ['spare'] }, chunks(MESSAGE));
    assert.deepEqual(
      routed.plan?.routes.map((r) => [r.target.name, r.selected, r.fallback]),
      [
        ['linux', false, false],
        ['spare', true, true],
      ],
    );
  });

  it(`the header is read up to ${MAX_ROUTING_HEADER} bytes: a field beyond is not seen, the message is replayed whole`, async () => {
    const filler = `X-Filler: ${'x'.repeat(1000)}\n`.repeat(Math.ceil(MAX_ROUTING_HEADER / 1000));
    const message = `${filler}X-Late: yes\n\nbody\n`;
    const routed = await routeStep(
      [
        target('late', { header: 'X-Late', exists: true }),
        target('filler', { header: 'X-Filler', exists: true }, 1),
      ],
      { kind: 'reject' },
      chunks(message, 4096),
    );
    assert.deepEqual(
      routed.plan?.selected.map((t) => t.name),
      ['filler'],
    );
    assert.equal(await drain(routed.input), message);
  });

  it('a message without a header end: read to its end, routed on all of it', async () => {
    const message = 'Subject: [macos] no body';
    const routed = await routeStep(
      [target('macos', { header: 'Subject', contains: '[macos]' })],
      { kind: 'reject' },
      chunks(message, 3),
    );
    assert.equal(routed.plan?.selected.length, 1);
    assert.equal(await drain(routed.input), message);
  });

  it('an input that fails while the header is read: the error is thrown', async () => {
    const failing: AsyncIterable<Buffer> = (async function* () {
      await Promise.resolve();
      yield Buffer.from('Subject: x\n');
      throw Object.assign(new Error('EIO: read'), { code: 'EIO' });
    })();
    await assert.rejects(
      routeStep([target('a', { header: 'Subject', exists: true })], { kind: 'reject' }, failing),
      /EIO/,
    );
  });
});
