// Rewrites the generated parts of the docs from the built sources (run `npm run build` first):
// the signals table in docs/collectors.md and the PostureReport component of docs/openapi.yaml.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

const root = join(import.meta.dirname, '..');
const { signalsTable, reportJsonSchema } = await import(join(root, 'dist/collectors/report-docs.js'));

const collectorsPath = join(root, 'docs/collectors.md');
const collectors = readFileSync(collectorsPath, 'utf8');
const table = /(<!-- signals:start[^\n]*-->\n)[\s\S]*?(<!-- signals:end -->)/;
if (!table.test(collectors)) throw new Error('docs/collectors.md has no signals:start / signals:end markers');
writeFileSync(collectorsPath, collectors.replace(table, (_all, start, end) => `${start}${signalsTable()}\n${end}`));

const openapiPath = join(root, 'docs/openapi.yaml');
const openapi = readFileSync(openapiPath, 'utf8');
// Only the PostureReport block is rewritten (a YAML round trip would restyle the whole file).
const block = /^ {4}PostureReport:\n(?: {6,}.*\n|\n)*/m;
if (!block.test(openapi)) throw new Error('docs/openapi.yaml has no components.schemas.PostureReport');
const rendered = YAML.stringify({ PostureReport: reportJsonSchema() }, { lineWidth: 0 }).replace(/^/gm, '    ');
writeFileSync(openapiPath, openapi.replace(block, rendered));
console.log('docs/collectors.md and docs/openapi.yaml are up to date');
