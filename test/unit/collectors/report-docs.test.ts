// The docs follow the signals: the table in docs/collectors.md and the report's part of
// docs/openapi.yaml are generated from src/collectors/signals.ts (`npm run docs`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { reportJsonSchema, signalsTable } from '../../../src/collectors/report-docs.js';
import { SIGNALS } from '../../../src/collectors/signals.js';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'docs');

describe('the report docs', () => {
  it('docs/collectors.md has the generated signals table, one row per signal (run `npm run docs` when this fails)', () => {
    const text = readFileSync(join(DOCS, 'collectors.md'), 'utf8');
    const section = /<!-- signals:start[^\n]*-->\n([\s\S]*?)\n<!-- signals:end -->/.exec(text)?.[1];
    expect(section).toBe(signalsTable());
    for (const signal of SIGNALS) expect(section).toContain(`| \`${signal.name}\` | ${signal.title} |`);
  });

  it('docs/openapi.yaml describes the report the service accepts, as the zod schemas say (run `npm run docs` when this fails)', () => {
    const spec = YAML.parse(readFileSync(join(DOCS, 'openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, unknown> } };
    expect(spec.components.schemas['PostureReport']).toEqual(reportJsonSchema());
  });

  it('requires the first version\'s signals and lets older agents leave out the later ones', () => {
    const schema = reportJsonSchema() as { required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['os', 'diskEncryption', 'antivirus', 'firewall', 'errors']));
    for (const later of ['screenLock', 'secureBoot', 'tpm', 'osUpdates']) expect(schema.required).not.toContain(later);
  });
});

describe('the signals\' collectors', () => {
  it('load for every OS from the signal\'s own folder, each a function', async () => {
    for (const signal of SIGNALS) {
      for (const platform of ['win32', 'darwin', 'linux'] as const) {
        expect(typeof (await signal.collectors[platform]()), `${signal.name} on ${platform}`).toBe('function');
      }
    }
  });
});
