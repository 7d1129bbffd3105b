// Builds what tsc cannot: the sandboxed preload script (one CommonJS file, electron external) and
// the tray window (one script for the page, with its HTML and CSS). Run by `npm run build`.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = (...parts) => join(root, 'dist', ...parts);

await mkdir(out('renderer'), { recursive: true });
await Promise.all([
  build({
    entryPoints: [join(root, 'src/preload/index.ts')],
    outfile: out('preload', 'index.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    logLevel: 'warning',
  }),
  build({
    entryPoints: [join(root, 'renderer/src/main.ts')],
    outfile: out('renderer', 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  }),
  copyFile(join(root, 'renderer/index.html'), out('renderer', 'index.html')),
  copyFile(join(root, 'renderer/styles.css'), out('renderer', 'styles.css')),
]);
