// Many deliveries at once into the same maildirs, as an MTA with parallel local deliveries
// runs them: unique names (DESIGN.md guarantee 1) mean no copy is lost, doubled or left in tmp/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listMaildir, readNew, runCli, sandbox, type RunResult } from './harness';

const MESSAGES = 300;
const IN_FLIGHT = 16;

/** Message n: a unique Message-ID and a unique body. */
function message(n: number): string {
  return (
    `From: sender${n}@example.org\nMessage-ID: <${n}.concurrency@example.org>\n` +
    `Subject: message ${n}\n\nbody of message ${n}: ${'#'.repeat(n)}\n`
  );
}

describe(`${MESSAGES} messages from ${IN_FLIGHT} concurrent deliveries into 3 shared maildirs`, () => {
  const box = sandbox();
  const names = ['a', 'b', 'c'];
  const dirs = names.map((name) => box.maildir(name));
  const expected = Array.from({ length: MESSAGES }, (_, n) => message(n)).sort();
  const results: RunResult[] = [];
  after(() => box.remove());

  // 300 CLI starts cost about 30 s of CPU on 2 cores; the bound only stops a hang.
  before(
    async () => {
      // A pool: 16 CLI processes in flight, each taking the next message as soon as one exits.
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < MESSAGES) {
          const n = next++;
          results[n] = await runCli(dirs, { input: message(n) });
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    },
    { timeout: 240_000 },
  );

  it('every delivery exits 0 and prints nothing', () => {
    assert.equal(results.length, MESSAGES);
    const failed = results.flatMap((r, n) =>
      r.code === 0 && r.stdout + r.stderr === '' ? [] : [{ n, ...r }],
    );
    assert.deepEqual(failed, []);
  });

  for (const [index, name] of names.entries()) {
    const dir = dirs[index]!;
    it(`maildir ${name}: new/ holds all ${MESSAGES} messages exactly once`, () => {
      const contents = readNew(dir).map((b) => b.toString('latin1'));
      assert.equal(contents.length, MESSAGES);
      assert.deepEqual(contents.sort(), expected);
    });

    it(`maildir ${name}: tmp/ and cur/ are empty`, () => {
      const listing = listMaildir(dir);
      assert.deepEqual({ tmp: listing.tmp, cur: listing.cur }, { tmp: [], cur: [] });
    });
  }
});
