// Runs electronegativity (Doyensec's Electron security scanner) over the tray app's main process,
// preload and window, and fails on any finding above LOW that docs/security.md does not explain.
// Its command line is broken with the commander this project uses, so its API is called instead.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const run = createRequire(import.meta.url)('@doyensec/electronegativity');

const staging = await mkdtemp(join(tmpdir(), 'electronegativity-'));
try {
  await cp(join(root, 'package.json'), join(staging, 'package.json'));
  await cp(join(root, 'src/main'), join(staging, 'src/main'), { recursive: true });
  await cp(join(root, 'src/preload'), join(staging, 'src/preload'), { recursive: true });
  await cp(join(root, 'renderer'), join(staging, 'renderer'), { recursive: true, filter: (path) => !path.endsWith('tsconfig.json') });
  const electron = JSON.parse(await readFile(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  const result = await run({ input: staging, output: undefined, isRelative: true, severitySet: 'informational', confidenceSet: 'tentative', electronVersionOverride: electron, isSarif: false, parserPlugins: [] }, false);

  const explained = new Set([...(await readFile(join(root, 'docs/security.md'), 'utf8')).matchAll(/^- `([A-Z_]+)`/gm)].map((match) => match[1]));
  const findings = result.issues.map((issue) => ({ id: issue.id, severity: issue.severity.name, confidence: issue.confidence.name, where: `${issue.file}:${issue.location.line}`, sample: issue.sample.trim().slice(0, 100) }));
  for (const finding of findings) console.log(`${finding.severity.padEnd(13)} ${finding.confidence.padEnd(9)} ${finding.id.padEnd(34)} ${finding.where}  ${finding.sample}`);
  const unexplained = findings.filter((finding) => !['LOW', 'INFORMATIONAL'].includes(finding.severity) && !explained.has(finding.id));
  console.log(`electronegativity ${electron}: ${result.globalChecks + result.atomicChecks} checks, ${findings.length} findings, ${unexplained.length} above LOW not explained in docs/security.md${result.errors.length ? `, ${result.errors.length} files it could not parse` : ''}`);
  for (const error of result.errors) console.log(`  could not parse: ${error.file}: ${error.message ?? error}`);
  if (unexplained.length > 0 || result.errors.length > 0) process.exitCode = 1;
} finally {
  await rm(staging, { recursive: true, force: true });
}
