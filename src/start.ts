// The program's entry point (bin/maildir-fanout runs it): runs the bundle dist/maildir-fanout.js
// compiled with the V8 code cache that the build made for it (maildir-fanout.js.cache), so that
// V8 neither parses nor compiles the bundle's code on every start; an MDA starts once per message
// (docs/performance.md, "Start-up"). Node 22 offers this as module.enableCompileCache(); Node 20,
// our floor, does not.
//
// The cache only fits the exact bundle, Node version and V8 flags it was made with. Its first line
// names the bundle's build (the bundle's own first line); for another build it is not used, and
// for another Node or other flags V8 itself rejects it. Either way the bundle is then compiled as
// usual: slower, never wrong. `node dist/maildir-fanout.js` runs the bundle without the cache.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

const bundle = join(__dirname, 'maildir-fanout.js');

/** A seam for the build (scripts/code-cache.mjs) and tests: sees the compiled script. */
type CacheHook = (script: Script) => void;

try {
  const source = readFileSync(bundle, 'utf8');
  const cachedData = cacheFor(source);
  // Node's own CommonJS wrapper: the bundle sees the same five variables as under `node file`.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  (globalThis as { __maildirFanoutCodeCache?: CacheHook }).__maildirFanoutCodeCache?.(script);
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, require, module, bundle, __dirname);
} catch (error: unknown) {
  // Only a broken installation ends here: the bundle handles its own errors once it runs.
  // 75 (EX_TEMPFAIL) with a status line, as for every other problem an operator can fix.
  const text = error instanceof Error ? error.message : String(error);
  process.stderr.write(`4.3.5 maildir-fanout: cannot start ${bundle}: ${text.split('\n')[0] ?? ''}\n`);
  process.exit(75);
}

/** The cache for this exact bundle: its first line must be the bundle's build line. */
function cacheFor(source: string): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = readFileSync(`${bundle}.cache`);
  } catch {
    return undefined; // no cache: compile as usual
  }
  const buildLine = source.slice(0, source.indexOf('\n') + 1);
  if (buildLine === '' || !cache.subarray(0, buildLine.length).equals(Buffer.from(buildLine)))
    return undefined;
  return cache.subarray(buildLine.length);
}
