// Builds what tsc cannot: the sandboxed preload script (one CommonJS file, electron external) and
// the tray window (one script for the page, with its HTML and CSS), and the service's web console. Run by `npm run build`.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
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
  buildConsole(),
]);

/**
 * The policy service's web console: a script and a stylesheet with content hashes in their names
 * (cached for good), the page naming them, and an unhashed copy of the stylesheet for the
 * service's own sign-in pages.
 */
async function buildConsole() {
  const assets = out('console', 'assets');
  await rm(out('console'), { recursive: true, force: true });
  await mkdir(assets, { recursive: true });
  const built = await build({
    entryPoints: { console: join(root, 'console/src/main.ts'), 'console-style': join(root, 'console/styles.css') },
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    metafile: true,
    logLevel: 'warning',
  });
  const names = Object.keys(built.metafile.outputs).map((file) => basename(file));
  const script = names.find((name) => name.endsWith('.js'));
  const style = names.find((name) => name.endsWith('.css'));
  await copyFile(join(assets, style), join(assets, 'console.css'));
  const page = (await readFile(join(root, 'console/index.html'), 'utf8'))
    .replace('/console/assets/console.js', `/console/assets/${script}`)
    .replace('/console/assets/console.css', `/console/assets/${style}`);
  await writeFile(out('console', 'index.html'), page);
}
