import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../../src/policy/parse-policy-text.js';
import { DEFAULT_POLICY } from '../../../src/policy/default-policy.js';
import { AgentError } from '../../../src/shared/errors.js';

function refusal(text: string): AgentError {
  try {
    parsePolicy(text, 'test.yaml');
  } catch (error) {
    if (error instanceof AgentError) return error;
    throw error;
  }
  throw new Error('the policy was accepted');
}

const VALID = `
id: corp-baseline
version: 3
rules:
  - id: disk-encryption
    check: diskEncryption.system
    severity: block
    remediation:
      linux: "Ask IT to re-image this laptop."
  - id: os-version
    check: os.minimumVersion
    params: { darwin: "14.6", win32: ["10.0.22631.4317", "10.0.26100.2033"], linux: { ubuntu: "22.04", debian: "12", arch: rolling } }
    severity: block
  - id: antivirus
    check: antivirus.active
    params: { maxDefinitionsAgeDays: 7 }
    severity: block
  - id: firewall
    check: firewall.enabled
    severity: warn
tiers:
  basic: [disk-encryption]
  strict: [disk-encryption, os-version, antivirus, firewall]
gracePeriod: 72h
`;

describe('parsePolicy', () => {
  it('accepts the design example in YAML and the same policy in JSON', () => {
    const policy = parsePolicy(VALID, 'test.yaml');
    expect(policy.id).toBe('corp-baseline');
    expect(policy.version).toBe(3);
    expect(policy.rules.map((rule) => rule.id)).toEqual(['disk-encryption', 'os-version', 'antivirus', 'firewall']);
    expect(policy.gracePeriodMs).toBe(72 * 3_600_000);
    expect(policy.tiers['strict']).toHaveLength(4);
    const json = JSON.stringify({ id: 'j', version: 1, rules: [{ id: 'fw', check: 'firewall.enabled', severity: 'warn' }] });
    expect(parsePolicy(json, 'p.json').rules[0]!.check).toBe('firewall.enabled');
  });

  it('names the path of a bad field', () => {
    expect(refusal(VALID.replace('severity: warn', 'severity: maybe')).message).toContain('rules[3].severity');
    expect(refusal(VALID.replace('ubuntu: "22.04"', 'ubuntu: "jammy"')).message).toContain('rules[1].params.linux.ubuntu');
    expect(refusal(VALID.replace('maxDefinitionsAgeDays: 7', 'maxDefinitionsAgeDays: -1')).message).toContain('rules[2].params.maxDefinitionsAgeDays');
    expect(refusal(VALID.replace('gracePeriod: 72h', 'gracePeriod: soon')).message).toContain('gracePeriod');
    expect(refusal(VALID.replace('check: firewall.enabled', 'check: firewall.maybe')).message).toContain('rules[3].check: unknown check "firewall.maybe"');
  });

  it('refuses unknown keys, duplicate ids and tiers naming missing rules', () => {
    expect(refusal(VALID.replace('severity: warn', 'severity: warn\n    severty: block')).message).toContain('rules[3]: Unrecognized key');
    expect(refusal(VALID.replace('id: firewall', 'id: antivirus')).message).toContain('rules[3].id: duplicate rule id "antivirus"');
    expect(refusal(VALID.replace('basic: [disk-encryption]', 'basic: [disk-encrypton]')).message).toContain('tiers.basic[0]: no rule has id "disk-encrypton"');
  });

  it('gives every refusal the stable code and never a stack', () => {
    for (const text of ['', 'id: [', '42', VALID.replace('version: 3', 'version: three')]) {
      const error = refusal(text);
      expect(error.code).toBe('ERR_POLICY_INVALID');
      expect(error.message).not.toMatch(/\n\s+at /);
    }
    expect(refusal('rules: [\n').message).toMatch(/line \d+, column \d+/);
  });

  it('builds a valid default policy, and the example policy file validates', () => {
    expect(DEFAULT_POLICY.rules.length).toBeGreaterThanOrEqual(4);
    const example = readFileSync(join(import.meta.dirname, '../../../docs/examples/policy.yaml'), 'utf8');
    expect(parsePolicy(example, 'docs/examples/policy.yaml').id).toBe('corp-baseline');
  });
});
