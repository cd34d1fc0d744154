// Removes build output, so that a test file deleted from test/ does not live on in build/.
import { rmSync } from 'node:fs';

for (const dir of ['build', 'dist']) rmSync(dir, { recursive: true, force: true });
