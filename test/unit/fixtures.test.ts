import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../../src/shared/errors.js';
import { type Platform } from '../../src/shared/platform.js';
import { SIGNAL_NAMES } from '../../src/collectors/report.js';
import type { FixtureTable } from '../fixtures/fixture-table.js';
import { WIN32_FIXTURE_PARSERS } from '../fixtures/win32/parsers.js';
import { DARWIN_FIXTURE_PARSERS } from '../fixtures/darwin/parsers.js';
import { LINUX_FIXTURE_PARSERS } from '../fixtures/linux/parsers.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const TABLES: Record<Platform, FixtureTable> = {
  win32: WIN32_FIXTURE_PARSERS,
  darwin: DARWIN_FIXTURE_PARSERS,
  linux: LINUX_FIXTURE_PARSERS,
};
const MIN_CASES_PER_SIGNAL = 8;

function commandFolders(platform: Platform): string[] {
  const root = join(FIXTURES, platform);
  return readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory());
}

function cases(platform: Platform, command: string): string[] {
  return readdirSync(join(FIXTURES, platform, command))
    .filter((name) => name.endsWith('.txt'))
    .map((name) => name.slice(0, -'.txt'.length))
    .sort();
}

function parseOrError(parse: (text: string) => unknown, text: string): unknown {
  try {
    return JSON.parse(JSON.stringify(parse(text)));
  } catch (error) {
    if (isAgentError(error)) return { error: error.code };
    throw error;
  }
}

for (const platform of Object.keys(TABLES) as Platform[]) {
  const table = TABLES[platform];
  describe(`fixtures/${platform}`, () => {
    it('has a parser for every command folder and a folder for every parser', () => {
      expect(new Set(commandFolders(platform))).toEqual(new Set(Object.keys(table)));
    });

    it(`has at least ${MIN_CASES_PER_SIGNAL} cases for every signal`, () => {
      const counts = Object.fromEntries(SIGNAL_NAMES.map((signal) => [signal, 0]));
      for (const command of commandFolders(platform)) {
        const parser = table[command];
        if (parser) counts[parser.signal] = (counts[parser.signal] ?? 0) + cases(platform, command).length;
      }
      for (const signal of SIGNAL_NAMES) expect(counts[signal], `${platform} ${signal}`).toBeGreaterThanOrEqual(MIN_CASES_PER_SIGNAL);
    });

    for (const command of commandFolders(platform)) {
      for (const name of cases(platform, command)) {
        it(`${command}/${name}`, () => {
          const parser = table[command];
          expect(parser, `no parser registered for ${platform}/${command}`).toBeDefined();
          const expectedPath = join(FIXTURES, platform, command, `${name}.json`);
          expect(existsSync(expectedPath), `${expectedPath} is missing`).toBe(true);
          const text = readFileSync(join(FIXTURES, platform, command, `${name}.txt`), 'utf8');
          const expected: unknown = JSON.parse(readFileSync(expectedPath, 'utf8'));
          expect(parseOrError(parser!.parse, text)).toEqual(expected);
        });
      }
    }
  });
}
