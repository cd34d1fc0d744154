// Bundles src/cli.ts and its dependencies into one file, dist/maildir-fanout.js: an MDA starts
// once per message, and resolving and compiling hundreds of module files would dominate that.
//
// The bundle contains code of other packages, whose licenses (MIT, ISC, BlueOak-1.0.0) ask that
// every copy come with their notice. Their sources carry no `@license` comment for esbuild to
// keep, so the notices are collected here, one per bundled package, into
// dist/maildir-fanout.js.LEGAL.txt, the file esbuild's `legalComments: 'linked'` writes.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { makeCodeCache } from './code-cache.mjs';

const outfile = 'dist/maildir-fanout.js';
const legalFile = `${outfile}.LEGAL.txt`;

const result = await build({
  entryPoints: ['src/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  // ASCII only: one non-ASCII character anywhere (a comment's "§") makes V8 hold and scan the
  // whole source as two-byte text, slower to read and to parse.
  charset: 'ascii',
  legalComments: 'linked',
  footer: { js: '// Licenses of the bundled packages: maildir-fanout.js.LEGAL.txt' },
  metafile: true,
  logLevel: 'warning',
});

// The first line names this build: the code cache made below carries the same line, and
// dist/start.js uses a cache only when the two match (src/start.ts).
const body = readFileSync(outfile, 'utf8');
const build_id = createHash('sha256').update(body).digest('hex');
writeFileSync(outfile, `// maildir-fanout build ${build_id}\n${body}`);

// The entry point bin/maildir-fanout runs: compiles the bundle with the code cache.
await build({
  entryPoints: ['src/start.ts'],
  outfile: 'dist/start.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  charset: 'ascii',
  logLevel: 'warning',
});
makeCodeCache();

// Package folders that contributed at least one input file, nested ones included
// (node_modules/a/node_modules/b), from esbuild's list of inputs.
const packageDirs = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packageDirs.add(match[1]);
}

const notices = [...packageDirs].sort().map((dir) => {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenseFile = readdirSync(dir)
    .sort()
    .find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  if (licenseFile === undefined) throw new Error(`${dir}: bundled, but has no LICENSE file`);
  const text = readFileSync(join(dir, licenseFile), 'utf8').trim();
  return `${pkg.name} ${pkg.version} (${pkg.license})\n\n${text}\n`;
});

const fromEsbuild = existsSync(legalFile) ? readFileSync(legalFile, 'utf8').trim() + '\n\n' : '';
const rule = `${'-'.repeat(78)}\n`;
writeFileSync(
  legalFile,
  `${fromEsbuild}dist/maildir-fanout.js bundles the following packages, under these licenses.\n\n` +
    notices.join(`\n${rule}\n`),
);
