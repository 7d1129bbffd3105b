/**
 * Which part of src/ may import which (after Tailscale's deps_test): one table of layers, lowest
 * first. A file may import its own directory and any directory in a LOWER layer; a directory in
 * the same layer only where SIBLING_IMPORTS says so; nothing higher up. Every import counts:
 * `import`, `import type`, `export ... from`, `import('...')` and `import('...').Type` (a type
 * import upward is still an upward dependency). The renderer (renderer/, its own tsconfig) may
 * only import types, and only from the files that are its contract with the main process.
 *
 * When this fails: move the shared piece DOWN to the layer both sides can import (a contract
 * module, src/shared, src/wire), never the rule up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** Files allowed one computed import, each for a reason given where it is used. */
const COMPUTED_IMPORTS_ALLOWED: ReadonlySet<string> = new Set(['collectors/lazy-collector.ts']);

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const RENDERER = join(ROOT, 'renderer', 'src');

/** Lowest first. Each row: the directories under src/ in that layer, and what the layer is. */
const LAYERS: readonly { dirs: readonly string[]; what: string }[] = [
  { dirs: ['shared'], what: 'types, errors and small helpers every part uses; the Host contract (design §2)' },
  { dirs: ['exec'], what: 'the only place that spawns: the real Host, allow-lists, machine id' },
  { dirs: ['collectors'], what: 'signals: pure functions of what the Host answers' },
  { dirs: ['policy'], what: 'policy schema, built-in policy, the pure evaluator, the policy file loader' },
  { dirs: ['attest'], what: 'device id, device keys, Evidence and Result tokens' },
  { dirs: ['wire'], what: 'the policy service\'s HTTP contract: request schemas and response types both sides use' },
  { dirs: ['gateway'], what: 'Result verification with a cached JWKS, for Node gateways and the agent' },
  { dirs: ['api'], what: 'the daemon\'s local API: its types, server and client' },
  { dirs: ['agent', 'server'], what: 'the agent (checks, delivery, daemon) and the policy service: never each other' },
  { dirs: ['cli'], what: 'both command lines (agent and service)' },
  { dirs: ['tray'], what: 'the tray app\'s logic, without Electron' },
  { dirs: ['main', 'preload'], what: 'Electron\'s main process and preload script' },
  { dirs: ['bin', 'bench'], what: 'entry points that only wire things together, and the benchmarks' },
];

/** Same-layer imports that are allowed, as `from -> to`. None today. */
const SIBLING_IMPORTS: ReadonlySet<string> = new Set<string>([]);

/** What the renderer may import from src/ (type-only): the tray's IPC and view contract, the status types, shared. */
const RENDERER_MAY_IMPORT: readonly string[] = ['shared/', 'api/local-api-types.ts', 'tray/ipc-contract.ts', 'tray/tray-view.ts'];

interface ModuleImport {
  specifier: string;
  /** Only types: `import type`, `export type`, `import { type A }` with nothing else, `import('x').T`. */
  typeOnly: boolean;
  /** 1-based line of the import. */
  line: number;
  /** A dynamic import whose argument is not a string literal: it cannot be checked. */
  unresolvable?: boolean;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import './side-effect.js'` runs the module
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** Every module a TypeScript file imports or re-exports, statically or dynamically. */
function importsOf(fileName: string, text: string): ModuleImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ModuleImport[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnlyImport(node), line: lineOf(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const typeOnly = node.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, line: lineOf(node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly, line: lineOf(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) found.push({ specifier: argument.text, typeOnly: false, line: lineOf(node) });
      else found.push({ specifier: argument ? argument.getText(source) : '', typeOnly: false, line: lineOf(node), unresolvable: true });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

interface SourceFile {
  /** Relative to src/, with forward slashes: `agent/daemon/daemon.ts`. */
  path: string;
  text: string;
}

function layerIndex(layers: typeof LAYERS): Map<string, number> {
  const index = new Map<string, number>();
  layers.forEach((layer, at) => layer.dirs.forEach((dir) => index.set(dir, at)));
  return index;
}

function describeLayer(layers: typeof LAYERS, dir: string): string {
  const at = layers.findIndex((layer) => layer.dirs.includes(dir));
  return `${dir} (layer ${at}: ${layers[at]!.dirs.join(' | ')})`;
}

/** Resolves a relative specifier of `from` (both relative to src/) to a path relative to src/, or null when it leaves src/. */
function resolveInSrc(from: string, specifier: string): string | null {
  const target = relative(SRC, resolve(SRC, dirname(from), specifier)).split(sep).join('/');
  return target.startsWith('../') || target === '..' ? null : target;
}

/** Every broken rule, as one line naming the file, the import and the rule. */
function layerViolations(files: readonly SourceFile[], srcDirs: readonly string[], layers = LAYERS, siblings = SIBLING_IMPORTS): string[] {
  const index = layerIndex(layers);
  const problems: string[] = [];
  for (const dir of srcDirs) {
    if (!index.has(dir)) problems.push(`src/${dir}/ is not in the layer table of test/unit/import-direction.test.ts: place it in a layer`);
  }
  for (const dir of index.keys()) {
    if (!srcDirs.includes(dir)) problems.push(`the layer table names src/${dir}/, which does not exist: remove it from the table`);
  }
  for (const file of files) {
    const fromDir = file.path.split('/')[0]!;
    if (!file.path.includes('/')) {
      problems.push(`src/${file.path}: files directly in src/ belong to no layer; put it in a directory of the table`);
      continue;
    }
    const fromLayer = index.get(fromDir);
    if (fromLayer === undefined) continue; // reported above
    for (const imported of importsOf(file.path, file.text)) {
      const where = `src/${file.path}:${imported.line}`;
      if (imported.unresolvable) {
        // The one exception: a signal's per-OS collector, loaded from the signal's own folder (lazy-collector.ts refuses anything else).
        if (COMPUTED_IMPORTS_ALLOWED.has(file.path)) continue;
        problems.push(`${where} imports a computed specifier (${imported.specifier}): the layers cannot be checked; import a string literal`);
        continue;
      }
      if (!imported.specifier.startsWith('.')) continue; // a package
      const target = resolveInSrc(file.path, imported.specifier);
      if (target === null) {
        problems.push(`${where} imports '${imported.specifier}' from outside src/`);
        continue;
      }
      const toDir = target.split('/')[0]!;
      if (toDir === fromDir) continue;
      const toLayer = index.get(toDir);
      const kind = imported.typeOnly ? 'type import' : 'import';
      if (toLayer === undefined) {
        problems.push(`${where} ${kind} '${imported.specifier}' reaches src/${toDir}/, which is in no layer`);
      } else if (toLayer > fromLayer) {
        problems.push(`${where} ${kind} '${imported.specifier}' runs UP: ${describeLayer(layers, fromDir)} may not import ${describeLayer(layers, toDir)}`);
      } else if (toLayer === fromLayer && !siblings.has(`${fromDir} -> ${toDir}`)) {
        problems.push(`${where} ${kind} '${imported.specifier}' runs SIDEWAYS: ${fromDir} and ${toDir} share layer ${fromLayer} and may not import each other`);
      }
    }
  }
  return problems;
}

/** The renderer's rule: type-only imports from src/, and only from its contract files. */
function rendererViolations(files: readonly SourceFile[], mayImport = RENDERER_MAY_IMPORT): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const imported of importsOf(file.path, file.text)) {
      const where = `renderer/src/${file.path}:${imported.line}`;
      if (imported.unresolvable) {
        problems.push(`${where} imports a computed specifier (${imported.specifier})`);
        continue;
      }
      if (!imported.specifier.startsWith('.')) continue;
      const target = relative(ROOT, resolve(RENDERER, dirname(file.path), imported.specifier)).split(sep).join('/');
      if (!target.startsWith('src/')) continue; // the renderer's own files
      const inSrc = target.slice('src/'.length).replace(/\.js$/, '.ts');
      if (!imported.typeOnly) problems.push(`${where} imports '${imported.specifier}' as a value: the renderer takes only types from src/ (import type)`);
      else if (!mayImport.some((allowed) => (allowed.endsWith('/') ? inSrc.startsWith(allowed) : inSrc === allowed))) {
        problems.push(`${where} type import '${imported.specifier}' is not among the renderer's contract files (${mayImport.join(', ')})`);
      }
    }
  }
  return problems;
}

function tsFiles(root: string, under = ''): SourceFile[] {
  return readdirSync(join(root, under), { withFileTypes: true }).flatMap((entry) => {
    const path = under === '' ? entry.name : `${under}/${entry.name}`;
    if (entry.isDirectory()) return tsFiles(root, path);
    return entry.name.endsWith('.ts') ? [{ path, text: readFileSync(join(root, path), 'utf8') }] : [];
  });
}

function srcDirectories(): string[] {
  return readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

describe('import direction', () => {
  it('every import in src/ runs down the layer table, and every directory of src/ is in it', () => {
    expect(layerViolations(tsFiles(SRC), srcDirectories())).toEqual([]);
  });

  it('the renderer imports only types, and only from its contract files', () => {
    expect(rendererViolations(tsFiles(RENDERER))).toEqual([]);
  });
});

describe('the import-direction check itself', () => {
  const dirs = LAYERS.flatMap((layer) => layer.dirs);
  const check = (path: string, text: string) => layerViolations([{ path, text }], dirs);

  it('finds static, type-only, re-exported and dynamic imports, with their lines', () => {
    const text = [
      "import { a } from '../agent/a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from '../c.js';",
      "import { type E, f } from '../e.js';",
      "export { g } from '../g.js';",
      "export type { H } from '../h.js';",
      "const i = await import('../i.js');",
      "type J = import('../j.js').J;",
      "import './side-effect.js';",
      'const k = await import(name);',
    ].join('\n');
    expect(importsOf('x/y.ts', text)).toEqual([
      { specifier: '../agent/a.js', typeOnly: false, line: 1 },
      { specifier: './b.js', typeOnly: true, line: 2 },
      { specifier: '../c.js', typeOnly: true, line: 3 },
      { specifier: '../e.js', typeOnly: false, line: 4 },
      { specifier: '../g.js', typeOnly: false, line: 5 },
      { specifier: '../h.js', typeOnly: true, line: 6 },
      { specifier: '../i.js', typeOnly: false, line: 7 },
      { specifier: '../j.js', typeOnly: true, line: 8 },
      { specifier: './side-effect.js', typeOnly: false, line: 9 },
      { specifier: 'name', typeOnly: false, line: 10, unresolvable: true },
    ]);
  });

  it('fails an upward import, naming the file, the import and the rule, also when it imports only types', () => {
    expect(check('shared/errors.ts', "import { Daemon } from '../agent/daemon/daemon.js';")).toEqual([
      "src/shared/errors.ts:1 import '../agent/daemon/daemon.js' runs UP: shared (layer 0: shared) may not import agent (layer 8: agent | server)",
    ]);
    expect(check('exec/real-host.ts', "\n\nimport type { Host } from '../collectors/host.js';")).toEqual([
      "src/exec/real-host.ts:3 type import '../collectors/host.js' runs UP: exec (layer 1: exec) may not import collectors (layer 2: collectors)",
    ]);
    expect(check('policy/x.ts', "const m = await import('../server/start-service.js');")).toHaveLength(1);
    expect(check('attest/x.ts', "type R = import('../wire/service.js').AttestResponse;")).toHaveLength(1);
  });

  it('fails a sideways import between siblings, unless the table allows that pair', () => {
    expect(check('agent/check-in.ts', "import type { AttestResponse } from '../server/posture-service.js';")).toEqual([
      "src/agent/check-in.ts:1 type import '../server/posture-service.js' runs SIDEWAYS: agent and server share layer 8 and may not import each other",
    ]);
    expect(check('server/x.ts', "import { loadPolicy } from '../agent/policy-file.js';")).toHaveLength(1);
    expect(layerViolations([{ path: 'agent/x.ts', text: "import '../server/y.js';" }], dirs, LAYERS, new Set(['agent -> server']))).toEqual([]);
  });

  it('lets a file import its own directory and any lower layer', () => {
    expect(check('agent/daemon/daemon.ts', "import { x } from '../check-in.js';\nimport { y } from '../../api/local-api-types.js';\nimport { z } from '../../shared/errors.js';\nimport { pino } from 'pino';")).toEqual([]);
  });

  it('fails a directory of src/ missing from the table, a table row without a directory, and computed imports', () => {
    expect(layerViolations([], [...dirs, 'plugins'])).toEqual(['src/plugins/ is not in the layer table of test/unit/import-direction.test.ts: place it in a layer']);
    expect(layerViolations([], dirs.filter((dir) => dir !== 'wire'))).toEqual(['the layer table names src/wire/, which does not exist: remove it from the table']);
    expect(check('agent/x.ts', 'await import(`../${name}.js`);')[0]).toMatch(/computed specifier/);
    expect(check('agent/x.ts', "import x from '../../package.json';")[0]).toMatch(/from outside src\//);
  });

  it('lets the renderer import types of its contract files only', () => {
    expect(rendererViolations([{ path: 'app.ts', text: "import type { TrayView } from '../../src/tray/tray-view.js';\nimport { x } from './x.js';" }])).toEqual([]);
    expect(rendererViolations([{ path: 'app.ts', text: "import { TrayView } from '../../src/tray/tray-view.js';" }])[0]).toMatch(/as a value/);
    expect(rendererViolations([{ path: 'app.ts', text: "import type { Daemon } from '../../src/agent/daemon/daemon.js';" }])[0]).toMatch(/not among the renderer's contract files/);
  });
});
