import { describe, expect, it } from 'vitest';
import { compareParsedVersions, meetsMinimum, parseVersion } from '../../../src/policy/version.js';

function v(text: string) {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`not a version: ${text}`);
  return parsed;
}
const cmp = (a: string, b: string) => Math.sign(compareParsedVersions(v(a), v(b)));

describe('parseVersion', () => {
  it('reads dotted versions, leading v and Rapid Security Responses', () => {
    expect(v('10.0.22631.4317').numbers).toEqual([10, 0, 22631, 4317]);
    expect(v('v3.23.2').numbers).toEqual([3, 23, 2]);
    expect(v('13.3.1 (a)')).toEqual({ numbers: [13, 3, 1], securityResponse: 1 });
  });

  it('refuses what is not a version', () => {
    for (const text of ['', 'rolling', '22.04 LTS', '1..2', 'abc', '10.0.x']) expect(parseVersion(text)).toBeNull();
  });
});

describe('compareParsedVersions', () => {
  it('compares numerically, not as text, with missing components as zero', () => {
    expect(cmp('10.0.22631.4317', '10.0.22631.998')).toBe(1);
    expect(cmp('14.6.1', '14.6')).toBe(1);
    expect(cmp('14.6', '14.6.0')).toBe(0);
    expect(cmp('12', '12.7')).toBe(-1);
    expect(cmp('26.0', '15.7.4')).toBe(1);
    expect(cmp('22.04', '22.10')).toBe(-1);
  });

  it('orders a Rapid Security Response after its base release and before the next', () => {
    expect(cmp('13.3.1 (a)', '13.3.1')).toBe(1);
    expect(cmp('13.3.1 (b)', '13.3.1 (a)')).toBe(1);
    expect(cmp('13.3.1 (a)', '13.3.2')).toBe(-1);
  });
});

describe('meetsMinimum', () => {
  const windows = ['10.0.22631.4317', '10.0.26100.2033'].map(v);

  it('with one minimum is device >= minimum', () => {
    expect(meetsMinimum(v('14.6.1'), [v('14.6')])).toBe(true);
    expect(meetsMinimum(v('14.5.2'), [v('14.6')])).toBe(false);
    expect(meetsMinimum(v('15.1'), [v('14.6')])).toBe(true);
    expect(meetsMinimum(v('24.04.3'), [v('22.04')])).toBe(true);
    expect(meetsMinimum(v('20.04'), [v('22.04')])).toBe(false);
    expect(meetsMinimum(v('12.7'), [v('12')])).toBe(true);
    expect(meetsMinimum(v('11.11'), [v('12')])).toBe(false);
  });

  it('holds each release line to its own patch level', () => {
    expect(meetsMinimum(v('10.0.22631.4400'), windows)).toBe(true);
    expect(meetsMinimum(v('10.0.22631.4000'), windows)).toBe(false);
    expect(meetsMinimum(v('10.0.26100.1000'), windows)).toBe(false);
    expect(meetsMinimum(v('10.0.26100.2033'), windows)).toBe(true);
    expect(meetsMinimum(v('10.0.26200.10'), windows)).toBe(true);
    expect(meetsMinimum(v('10.0.22000.3000'), windows)).toBe(false);
    expect(meetsMinimum(v('10.0.19045.5000'), windows)).toBe(false);
  });

  it('fails when there is no minimum at all', () => {
    expect(meetsMinimum(v('1.0'), [])).toBe(false);
  });
});
