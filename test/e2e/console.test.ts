// The web console in Debian's Chromium (playwright-core) against a real policy service on SQLite
// with devices in every state (test/support/console-fleet.ts), signed in through a one-time link.
// Each page is checked against the JSON API it shows; revoking from the console denies the device
// at /v1/authz; every page is screenshotted in light and dark: test-artifacts/console/<page>-<theme>.png.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleLink } from '../../src/server/console/console-links.js';
import { CONSOLE_CSP } from '../../src/server/console/console-static.js';
import type { DeviceState } from '../../src/server/store/store.js';
import { launchChromium, reportCspViolations, type CspViolation } from '../support/chromium.js';
import { startConsoleFleet, type ConsoleFleet } from '../support/console-fleet.js';

const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/console');
const CSP_BINDING = '__consoleCspViolation';
const EXTRA_DEVICES = 24;

/** The page's globals as these tests use them (the test project is compiled without DOM types). */
interface PageElement {
  id: string;
  tagName: string;
  textContent: string | null;
  closest(selector: string): PageElement | null;
  focus(): void;
  getAttribute(name: string): string | null;
}
interface PageScope {
  document: {
    activeElement: PageElement | null;
    querySelector(selector: string): PageElement | null;
    body: { append(node: unknown): void };
    createElement(tag: 'script'): { textContent: string };
    addEventListener(type: 'securitypolicyviolation', listener: (event: { effectiveDirective: string }) => void, options: { once: boolean }): void;
  };
  location: { hash: string };
  getComputedStyle(node: PageElement): { outlineStyle: string };
  __injected?: boolean;
}

interface ConsoleWindow {
  context: BrowserContext;
  page: Page;
  problems: string[];
  cspViolations: CspViolation[];
}

describe('the web console', () => {
  let fleet: ConsoleFleet;
  let browser: Browser;
  let admin: ConsoleWindow;
  const windows: ConsoleWindow[] = [];

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${fleet.running.address}${path}`, { headers: { authorization: `Bearer ${fleet.adminKey}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  }

  async function allIds(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { devices: { id: string }[]; nextCursor: string | null } = await api(`/v1/devices?limit=1000&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.devices.map((device) => device.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return ids;
  }

  /** A browser context signed in through a one-time sign-in link with this role. */
  async function signIn(role: 'admin' | 'viewer', colorScheme: 'light' | 'dark' = 'light'): Promise<ConsoleWindow> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme, reducedMotion: 'reduce', locale: 'en-GB', timezoneId: 'UTC' });
    const window: ConsoleWindow = { context, page: await context.newPage(), problems: [], cspViolations: [] };
    await context.exposeBinding(CSP_BINDING, (_source, violation: CspViolation) => {
      window.cspViolations.push(violation);
    });
    await context.addInitScript(reportCspViolations, CSP_BINDING);
    window.page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') window.problems.push(`console ${message.type()}: ${message.text()}`);
    });
    window.page.on('pageerror', (error) => window.problems.push(`uncaught: ${error.message}`));
    const url = await createConsoleLink(fleet.running.store, { role, lifetimeMs: 900_000, name: `${role} tester` }, fleet.running.publicUrl, { actor: 'cli:tests', source: null }, fleet.clock.now);
    await window.page.goto(url);
    expect(new URL(window.page.url()).pathname).toBe('/console/');
    await ready(window.page);
    windows.push(window);
    return window;
  }

  async function ready(page: Page): Promise<void> {
    await page.locator('#main[aria-busy="false"]').waitFor();
  }

  async function go(window: ConsoleWindow, hash: string): Promise<void> {
    await window.page.evaluate((target) => {
      (globalThis as unknown as PageScope).location.hash = target;
    }, hash);
    await window.page.waitForFunction((target) => {
      const scope = globalThis as unknown as PageScope;
      return scope.location.hash === target && scope.document.querySelector('#main')?.getAttribute('aria-busy') === 'false';
    }, hash);
  }

  /** The text of each cell of the main table's body rows. */
  async function tableRows(page: Page, selector = 'main table'): Promise<string[][]> {
    type Row = { querySelectorAll(selector: 'td'): ArrayLike<{ textContent: string | null }> };
    return page.locator(selector).first().locator('tbody tr').evaluateAll((rows) => (rows as unknown as Row[]).map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent?.trim() ?? '')));
  }

  async function screenshot(name: string, hash: string): Promise<void> {
    for (const theme of ['light', 'dark'] as const) {
      await admin.page.emulateMedia({ colorScheme: theme });
      await go(admin, '#/');
      await go(admin, hash);
      await admin.page.waitForTimeout(150);
      await admin.page.screenshot({ path: join(ARTIFACTS, `${name}-${theme}.png`), fullPage: true });
    }
    await admin.page.emulateMedia({ colorScheme: 'light' });
  }

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    [fleet, browser] = await Promise.all([startConsoleFleet({ extraCompliant: EXTRA_DEVICES }), launchChromium()]);
    admin = await signIn('admin');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
  });

  it('serves the page and its assets under a strict CSP, and blocks injected inline script', async () => {
    const response = await fetch(`${fleet.running.address}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
    const script = /src="(\/console\/assets\/console-[A-Z0-9]{8}\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${fleet.running.address}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect((await fetch(`${fleet.running.address}/console/assets/..%2Fpackage.json`)).status).toBe(404);

    const injected = await admin.page.evaluate(async () => {
      const scope = globalThis as unknown as PageScope;
      const blocked = new Promise<string>((resolve) => scope.document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true }));
      const script = scope.document.createElement('script');
      script.textContent = 'window.__injected = true;';
      scope.document.body.append(script);
      const directive = await blocked;
      return { directive, ran: scope.__injected === true };
    });
    expect(injected).toEqual({ directive: 'script-src-elem', ran: false });
    expect(admin.cspViolations.map((violation) => violation.directive)).toEqual(['script-src-elem']);
    expect(admin.problems).toEqual([expect.stringContaining('violates the following Content Security Policy directive')]);
    // Blocked as it should be: what the other tests must not see again.
    admin.cspViolations.length = 0;
    admin.problems.length = 0;
  });

  it('goes to the sign-in page without a session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${fleet.running.address}/console/#/devices`);
    await page.waitForURL(/\/console\/sign-in$/);
    await context.close();
  });

  it('overview: devices by state, failing checks, 30 days, not seen lately, as the API has them', async () => {
    await go(admin, '#/overview');
    const overview = await api<{ states: Record<DeviceState, number>; failingRules: { id: string; devices: number }[]; notSeen: { count: number } }>('/v1/overview');
    expect(overview.states).toEqual({ compliant: 1 + EXTRA_DEVICES, warning: 1, noncompliant: 1, stale: 1, revoked: 1, unappraised: 1 });
    const byState = await tableRows(admin.page, 'section:has(h2:text("Devices by state")) table');
    expect(byState).toEqual([
      ['Compliant', String(overview.states.compliant)], ['In grace', '1'], ['Not compliant', '1'], ['Stale', '1'], ['Revoked', '1'], ['Not yet appraised', '1'],
    ]);
    const failing = await tableRows(admin.page, 'section:has(h2:text("Failing checks")) table');
    expect(failing.map((row) => [row[1], row[2]])).toEqual(overview.failingRules.map((rule) => [rule.id, String(rule.devices)]));
    await expect.poll(() => admin.page.locator('canvas[role="img"]').count()).toBe(3);
    expect(await admin.page.locator('section:has(h2:text("Not seen lately"))').textContent()).toContain('stale-laptop');
    await screenshot('overview', '#/overview');
  });

  it('devices: filters, search, paging and CSV agree with the API', async () => {
    await go(admin, '#/devices');
    const page = admin.page;
    const ids = () => page.locator('main table tbody .id').allTextContents();

    // Paging: 25 a page, Next and Previous, every device once, in the API's order.
    const all = await allIds('');
    const first = await ids();
    expect(first).toEqual(all.slice(0, 25));
    await page.getByRole('link', { name: 'Next page' }).click();
    await ready(page);
    await expect.poll(ids).toEqual(all.slice(25));
    await page.getByRole('link', { name: 'Previous page' }).click();
    await expect.poll(ids).toEqual(first);

    // Filters through the form, as a user sets them.
    await page.getByLabel('State').selectOption('noncompliant');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(ids).toEqual(await allIds('state=noncompliant'));
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Failing check').selectOption('disk');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(ids).toEqual([fleet.devices.warning.id]);
    await page.getByLabel('Failing check').selectOption('');
    await page.getByLabel('Last seen').selectOption('over-1d');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(ids).toEqual(await allIds('seenBefore=1d'));
    await page.getByLabel('Last seen').selectOption('within-1h');
    await page.getByLabel('Platform').selectOption('linux');
    await page.getByLabel('Search').fill('alice');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(ids).toEqual([fleet.devices.compliant.id]);
    expect((await tableRows(page))[0]![1]).toBe('alice@example.com');

    // CSV of the filtered list, fetched with the session as the Export link would.
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Last seen').selectOption('');
    await page.getByLabel('State').selectOption('stale');
    await page.getByRole('button', { name: 'Apply' }).click();
    await ready(page);
    const csvHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(csvHref).toBe('/v1/devices.csv?state=stale&platform=linux');
    const csv = await page.evaluate(async (path) => (await fetch(path)).text(), csvHref!);
    expect(csv.split('\r\n').slice(1, -1).map((line) => line.split(',')[0])).toEqual(await allIds('state=stale&platform=linux'));

    await screenshot('devices', '#/devices');
  });

  it('device: verdicts with remediation, timeline of state changes, key and certificates', async () => {
    const id = fleet.devices.noncompliant.id;
    await go(admin, `#/devices/${id}`);
    const page = admin.page;
    expect(await page.locator('h1').textContent()).toBe('firewall-laptop');
    const detail = await api<{ device: { kid: string; appraisals: { verdicts: { id: string; reason: string; remediation: string | null }[] }[] } }>(`/v1/devices/${id}`);
    const verdicts = await tableRows(page, 'section:has(h2:text("Checks in the latest report")) table');
    const fw = detail.device.appraisals[0]!.verdicts.find((verdict) => verdict.id === 'fw')!;
    expect(fw.remediation).toBeTruthy();
    // The fake host's nftables ruleset needs root: the firewall is unknown, and unknown never passes.
    expect(verdicts.find((row) => row[0] === 'fw')).toEqual(['fw', 'Unknown', fw.reason, fw.remediation, expect.any(String)]);
    const timeline = await tableRows(page, 'section:has(h2:text("Timeline")) table');
    expect(timeline.map((row) => row[1])).toEqual(['In grace → Not compliant', 'First appraisal: In grace']);
    expect(await page.locator('section:has(h2:text("Key and certificates"))').textContent()).toContain(detail.device.kid);
    await screenshot('device', `#/devices/${id}`);
  });

  it('revoking from the console, by keyboard, denies the device at /v1/authz', async () => {
    const device = fleet.devices.compliant;
    const authz = () => fetch(`${fleet.running.address}/v1/authz?tier=basic`, { headers: { 'x-posture-token': device.result! } });
    expect((await authz()).status).toBe(200);
    await go(admin, `#/devices/${device.id}`);
    const page = admin.page;
    const revoke = page.getByRole('button', { name: 'Revoke device' });

    // Escape closes the dialog and changes nothing.
    await revoke.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.textContent)).toBe('Revoke device');
    expect((await authz()).status).toBe(200);

    // Focus stays in the dialog: Tab moves from Cancel to the confirmation, Enter confirms.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(1);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.textContent)).toBe('Revoke device');
    expect(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Restore device' }).waitFor();
    const denied = await authz();
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-posture-reason')).toBe('ERR_DEVICE_REVOKED');
    const { entries } = await api<{ entries: { action: string; actor: string; deviceId: string }[] }>('/v1/audit');
    expect(entries[0]).toMatchObject({ action: 'device.revoke', actor: expect.stringMatching(/^console:link:/), deviceId: device.id });
  });

  it('keyboard: a skip link first, then every navigation link, each reachable and working with Enter', async () => {
    const page = admin.page;
    await go(admin, '#/overview');
    await page.reload();
    await ready(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.id)).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.id)).toBe('main');
    await page.locator('#skip-link').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.textContent)).toBe('Devices');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const scope = globalThis as unknown as PageScope;
      return scope.location.hash === '#/devices' && scope.document.activeElement?.tagName === 'H1';
    });
    await page.keyboard.press('Shift+Tab');
    const outline = await page.evaluate(() => {
      const scope = globalThis as unknown as PageScope;
      return scope.getComputedStyle(scope.document.activeElement!).outlineStyle;
    });
    expect(outline).toBe('solid');
  });

  it('enrolment tokens and API keys: created and shown once, listed, revoked', async () => {
    const page = admin.page;
    await go(admin, '#/enrollment-tokens');
    await page.getByLabel('Uses').fill('3');
    await page.getByLabel('Note').fill('new hires');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.locator('dialog input.secret').inputValue();
    expect(secret).toMatch(/^\S{20,}$/);
    await page.keyboard.press('Escape');
    await ready(page);
    const { enrollmentTokens } = await api<{ enrollmentTokens: { id: string; note: string | null }[] }>('/v1/enrollment-tokens');
    const created = enrollmentTokens.find((token) => token.note === 'new hires')!;
    expect((await page.locator('main').textContent())).not.toContain(secret);
    const row = page.locator('tr', { hasText: created.id });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(async () => (await api<{ enrollmentTokens: { id: string; state: string }[] }>('/v1/enrollment-tokens')).enrollmentTokens.find((token) => token.id === created.id)?.state).toBe('revoked');
    await screenshot('enrollment-tokens', '#/enrollment-tokens');

    await go(admin, '#/api-keys');
    await page.getByLabel('Name').fill('edge gateway');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.locator('dialog input.secret').inputValue();
    await page.locator('dialog').getByRole('button', { name: 'Done' }).click();
    const health = await fetch(`${fleet.running.address}/v1/devices?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    expect(health.status).toBe(200);
    await ready(page);
    const keyRow = page.locator('tr', { hasText: 'edge gateway' });
    await keyRow.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('tr', { hasText: 'edge gateway' }).getByText(/^revoked/).waitFor();
    expect((await fetch(`${fleet.running.address}/v1/devices?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    await screenshot('api-keys', '#/api-keys');
  });

  it('policy and audit log pages show what the API has', async () => {
    const page = admin.page;
    await go(admin, '#/policy');
    expect(await page.locator('h1').textContent()).toBe('Policy console-policy@3');
    const rules = await tableRows(page, 'section:has(h2:text("Rules")) table');
    expect(rules.map((row) => [row[0], row[2], row[4]])).toEqual([['disk', 'block', '1'], ['fw', 'block', '1']]);
    expect(await tableRows(page, 'section:has(h2:text("Tiers")) table')).toEqual([['basic', 'disk'], ['strict', 'disk, fw']]);
    await screenshot('policy', '#/policy');

    await go(admin, '#/audit');
    const { entries } = await api<{ entries: { action: string }[] }>('/v1/audit?limit=500');
    const shown = await tableRows(page);
    expect(shown.map((row) => row[2])).toEqual(entries.map((entry) => entry.action));
    await screenshot('audit', '#/audit');
  });

  it('a viewer sees no change controls', async () => {
    const viewer = await signIn('viewer', 'dark');
    await go(viewer, `#/devices/${fleet.devices.warning.id}`);
    expect(await viewer.page.getByRole('button', { name: /Revoke|Restore|Reset/ }).count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'Save owner' }).count()).toBe(0);
    await go(viewer, '#/enrollment-tokens');
    expect(await viewer.page.getByRole('button', { name: 'Create token' }).count()).toBe(0);
    expect(await viewer.page.locator('.role').textContent()).toBe('viewer');
    await viewer.page.screenshot({ path: join(ARTIFACTS, 'viewer-device-dark.png'), fullPage: true });
  });

  it('had no console errors and no CSP violations on any page', () => {
    for (const window of windows) {
      expect(window.problems).toEqual([]);
      expect(window.cspViolations).toEqual([]);
    }
  });

  it('signs out (after the API refused a viewer\'s change made with the session and its CSRF token)', async () => {
    const viewer = windows.at(-1)!;
    const refused = await viewer.page.evaluate(async (id) => {
      const session = (await (await fetch('/console/session')).json()) as { csrfToken: string };
      const response = await fetch(`/v1/devices/${id}/owner`, {
        method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ owner: 'mallory' }),
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    }, fleet.devices.warning.id);
    expect(refused).toEqual({ status: 403, body: { error: { code: 'ERR_FORBIDDEN', message: expect.any(String) } } });
    const cookie = (await viewer.context.cookies()).find((candidate) => candidate.name === 'posture_session')!;
    const session = () => fetch(`${fleet.running.address}/console/session`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect((await session()).status).toBe(200);
    await viewer.page.getByRole('button', { name: 'Sign out' }).click();
    await viewer.page.waitForURL(/\/console\/sign-in$/);
    expect((await session()).status).toBe(401);
    expect(await viewer.context.cookies()).toEqual([]);
  });
});
