// Tests that start the real command lines run dist/, and the tray window tests load dist/renderer:
// build both first, so they test this source.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/build-ui.mjs')], { stdio: 'inherit' });
}
