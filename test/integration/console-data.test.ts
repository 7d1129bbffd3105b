// The console's read APIs over real HTTP against a real service on SQLite and on PostgreSQL, with
// a fleet in every state made by the agent's own check-in code (test/support/console-fleet.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_STATES, type DeviceState } from '../../src/server/store/store.js';
import { startConsoleFleet, type ConsoleFleet } from '../support/console-fleet.js';

const DIALECTS = ['sqlite', 'postgres'] as const;

interface ListedDevice {
  id: string;
  owner: string | null;
  state: DeviceState;
  failing: string[];
}

describe.each(DIALECTS)('console data on %s', (dialect) => {
  let fleet: ConsoleFleet;

  beforeAll(async () => {
    fleet = await startConsoleFleet({ dialect, extraCompliant: 4 });
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
  });

  async function get(path: string, key: string | null = fleet.adminKey): Promise<Response> {
    return fetch(`${fleet.running.address}${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  }

  async function json<T>(path: string): Promise<T> {
    const response = await get(path);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as T;
  }

  async function listAll(query: string): Promise<ListedDevice[]> {
    const devices: ListedDevice[] = [];
    let cursor: string | null = null;
    do {
      const page: { devices: ListedDevice[]; nextCursor: string | null } = await json(`/v1/devices?limit=3&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      devices.push(...page.devices);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return devices;
  }

  it('needs an admin API key', async () => {
    for (const path of ['/v1/overview', '/v1/policy', '/v1/devices.csv', `/v1/devices/${fleet.devices.compliant.id}/timeline`]) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, 'pak_unknown')).status).toBe(401);
    }
  });

  it('overview: devices by state, failing rules ranked, 30 days of compliance, devices not seen lately', async () => {
    const overview = await json<{
      policy: string; total: number; states: Record<DeviceState, number>;
      failingRules: { id: string; title: string; devices: number }[];
      compliance: { day: string; counts: Record<DeviceState, number> }[];
      notSeen: { count: number; devices: { id: string }[] };
    }>('/v1/overview');
    expect(overview.policy).toBe('console-policy@3');
    expect(overview.states).toEqual({ compliant: 5, warning: 1, noncompliant: 1, stale: 1, revoked: 1, unappraised: 1 });
    expect(overview.total).toBe(10);
    // Every count agrees with the list's own state filter.
    for (const state of DEVICE_STATES) expect((await listAll(`state=${state}`)).length, state).toBe(overview.states[state]);
    expect(overview.failingRules).toEqual([
      { id: 'disk', title: expect.any(String), severity: 'block', devices: 1 },
      { id: 'fw', title: expect.any(String), severity: 'block', devices: 1 },
    ]);
    const today = fleet.clock.now.toISOString().slice(0, 10);
    expect(overview.compliance.at(-1)).toEqual({ day: today, counts: overview.states });
    expect(overview.notSeen.count).toBe(1);
    expect(overview.notSeen.devices.map((device) => device.id)).toEqual([fleet.devices.stale.id]);
  });

  it('records the daily counts at start, and the chart shows earlier days from that table', async () => {
    const store = fleet.running.store;
    const today = fleet.clock.now.toISOString().slice(0, 10);
    const recorded = await store.listFleetDays(today);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.day).toBe(today);
    const old = new Date(fleet.clock.now.getTime() - 40 * 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(fleet.clock.now.getTime() - 86_400_000).toISOString().slice(0, 10);
    const counts = { compliant: 7, warning: 0, noncompliant: 2, stale: 0, revoked: 0, unappraised: 0 };
    await store.putFleetDay({ day: old, counts }, fleet.clock.now);
    await store.putFleetDay({ day: yesterday, counts: { ...counts, compliant: 1 } }, fleet.clock.now);
    await store.putFleetDay({ day: yesterday, counts }, fleet.clock.now);
    const overview = await json<{ compliance: { day: string; counts: Record<DeviceState, number> }[] }>('/v1/overview');
    expect(overview.compliance.map((day) => day.day)).toEqual([yesterday, today]);
    expect(overview.compliance[0]!.counts).toEqual(counts);
  });

  it('policy: id@version, rules with the devices failing each, tiers', async () => {
    const { policy } = await json<{ policy: { ref: string; rules: { id: string; severity: string; failingDevices: number }[]; tiers: Record<string, string[]>; gracePeriodSeconds: number } }>('/v1/policy');
    expect(policy.ref).toBe('console-policy@3');
    expect(policy.rules.map(({ id, severity, failingDevices }) => ({ id, severity, failingDevices }))).toEqual([
      { id: 'disk', severity: 'block', failingDevices: 1 },
      { id: 'fw', severity: 'block', failingDevices: 1 },
    ]);
    expect(policy.tiers).toEqual({ basic: ['disk'], strict: ['disk', 'fw'] });
    expect(policy.gracePeriodSeconds).toBe(3600);
  });

  it('owner: set by an admin (audited), shown in the list and matched by the search', async () => {
    const id = fleet.devices.stale.id;
    const response = await fetch(`${fleet.running.address}/v1/devices/${id}/owner`, {
      method: 'PUT', headers: { authorization: `Bearer ${fleet.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ owner: 'Bob.Builder@example.com' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ owner: 'Bob.Builder@example.com' });
    expect((await listAll('q=bob.b')).map((device) => device.id)).toEqual([id]);
    expect((await listAll('q=alice@')).map((device) => device.owner)).toEqual(['alice@example.com']);
    const { device } = await json<{ device: { owner: string | null } }>(`/v1/devices/${id}`);
    expect(device.owner).toBe('Bob.Builder@example.com');
    const { entries } = await json<{ entries: { action: string; deviceId: string; detail: Record<string, string | null> }[] }>('/v1/audit');
    expect(entries[0]).toMatchObject({ action: 'device.owner', deviceId: id, detail: { owner: 'Bob.Builder@example.com', previous: null } });
    const refused = await fetch(`${fleet.running.address}/v1/devices/${id}/owner`, {
      method: 'PUT', headers: { authorization: `Bearer ${fleet.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ owner: 42 }),
    });
    expect(refused.status).toBe(400);
    const unknown = await fetch(`${fleet.running.address}/v1/devices/nope/owner`, {
      method: 'PUT', headers: { authorization: `Bearer ${fleet.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ owner: null }),
    });
    expect(unknown.status).toBe(404);
  });

  it('timeline: state changes from the history, newest first, paged', async () => {
    const id = fleet.devices.noncompliant.id;
    const first = await json<{ entries: { status: string; previousStatus: string | null; statusChanged: boolean; failing: string[]; tiers: string[] }[]; nextCursor: string | null }>(`/v1/devices/${id}/timeline?limit=1`);
    expect(first.entries).toEqual([expect.objectContaining({ status: 'noncompliant', previousStatus: 'warning', statusChanged: true, failing: ['fw'], tiers: ['basic'] })]);
    expect(first.nextCursor).not.toBeNull();
    const second = await json<{ entries: { status: string; previousStatus: string | null }[]; nextCursor: string | null }>(`/v1/devices/${id}/timeline?limit=1&cursor=${first.nextCursor}`);
    expect(second.entries).toEqual([expect.objectContaining({ status: 'warning', previousStatus: null })]);
    expect(second.nextCursor).toBeNull();
    expect((await get('/v1/devices/nope/timeline')).status).toBe(404);
    expect((await get(`/v1/devices/${id}/timeline?limit=0`)).status).toBe(400);
    expect((await get(`/v1/devices/${id}/timeline?cursor=abc`)).status).toBe(400);
  });

  it('CSV: every device the filters match, as the list has them, quoted and formula-safe', async () => {
    const response = await get('/v1/devices.csv?sort=hostname');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="devices-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await response.text();
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe('id,hostname,serial,owner,platform,os_name,os_version,state,status,policy,appraised_at,last_seen_at,enrolled_at,revoked_at,failing');
    const listed = await listAll('sort=hostname');
    expect(lines.slice(1, -1).map((line) => line.split(',')[0])).toEqual(listed.map((device) => device.id));
    const warning = lines.find((line) => line.startsWith(fleet.devices.warning.id))!;
    expect(warning).toContain(',"\'=HYPERLINK(""http://evil.example"")",');
    expect(warning).toContain(',warning,warning,console-policy@3,');

    const filtered = await (await get('/v1/devices.csv?state=noncompliant,warning&failing=fw')).text();
    expect(filtered.split('\r\n').slice(1, -1).map((line) => line.split(',')[0])).toEqual([fleet.devices.noncompliant.id]);
    const refused = await get('/v1/devices.csv?state=bogus');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('ERR_BAD_REQUEST');
    expect((await get('/v1/devices.csv?cursor=x')).status).toBe(400);
  });
});
