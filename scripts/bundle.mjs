// Bundles src/cli.ts and its dependencies into one file, dist/maildir-fanout.js: an MDA starts
// once per message, and resolving and compiling hundreds of module files would dominate that.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/maildir-fanout.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
