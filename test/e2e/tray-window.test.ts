// The tray window (renderer/) in real Chromium: the built page over file://, exactly as the app
// loads it, with a stub PostureBridge as `window.posture` that answers from sample views
// (test/support/tray-views.ts), records every call and lets the test decide when a check ends.
// Screenshots of every state, light and dark: test-artifacts/tray/<state>-<theme>.png.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonState } from '../../src/api/local-api-types.js';
import type { TrayView } from '../../src/tray/tray-view.js';
import { launchChromium, openWindowPage, OWN_FILES_PREFIX, waitForWindow, type OpenWindowOptions, type WindowPage } from '../support/chromium.js';
import {
  DEVICE_ID,
  GRACE_DEADLINE,
  LAST_CHECK_AT,
  LAST_DELIVERY_AT,
  NEXT_CHECK_AT,
  POLICY,
  REASONS,
  SERVICE,
  TRAY_NOW,
  TRAY_STATES,
  TRAY_VIEWS,
  trayView,
} from '../support/tray-views.js';
import { until } from '../support/until.js';

const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/tray');

/** The policy the page must carry (frame-ancestors only works as a header: see renderer/index.html). */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'";

// ---------------------------------------------------------------------------------------------
// The stub bridge, run in the page before its script.

interface StubCall {
  method: string;
  args: unknown[];
}

interface StubSetup {
  view: TrayView;
  copyResult: boolean;
}

interface StubControl {
  calls: StubCall[];
  listenerCount(): number;
  pendingChecks(): number;
  /** Ends the oldest pending checkNow() with this view. */
  resolveCheck(view: TrayView): void;
  /** Fails the oldest pending checkNow(). */
  rejectCheck(message: string): void;
  /** What the app does when the agent's state changes: every onViewChanged listener gets the view. */
  emit(view: TrayView): void;
  /** The next call of this method rejects with this message. */
  failNext(method: string, message: string): void;
}

type StubScope = typeof globalThis & { __postureStub: StubControl };

/** Defines `window.posture` (a frozen PostureBridge, as contextBridge exposes it) and `__postureStub`. */
function installStubBridge(setup: StubSetup): void {
  type View = StubSetup['view'];
  const scope = globalThis as unknown as Record<string, unknown>;
  const calls: StubCall[] = [];
  const listeners = new Set<(view: View) => void>();
  const pending: { resolve(view: View): void; reject(error: Error): void }[] = [];
  const failures = new Map<string, string>();
  let current: View = setup.view;
  // Views cross the bridge as copies (structured clone in Electron).
  const copy = (view: View): View => JSON.parse(JSON.stringify(view)) as View;
  const call = <T>(method: string, args: unknown[], answer: () => Promise<T>): Promise<T> => {
    calls.push({ method, args });
    const failure = failures.get(method);
    if (failure === undefined) return answer();
    failures.delete(method);
    return Promise.reject(new Error(failure));
  };
  const bridge = {
    getView: () => call('getView', [], () => Promise.resolve(copy(current))),
    checkNow: () => call('checkNow', [], () => new Promise<View>((resolve, reject) => pending.push({ resolve, reject }))),
    copyDeviceId: () => call('copyDeviceId', [], () => Promise.resolve(setup.copyResult)),
    setStartAtLogin: (enabled: boolean) =>
      call('setStartAtLogin', [enabled], () => {
        current = { ...current, startAtLogin: enabled };
        return Promise.resolve(copy(current));
      }),
    onViewChanged: (listener: (view: View) => void) => {
      calls.push({ method: 'onViewChanged', args: [] });
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  Object.defineProperty(scope, 'posture', { value: Object.freeze(bridge), enumerable: true });
  const control: StubControl = {
    calls,
    listenerCount: () => listeners.size,
    pendingChecks: () => pending.length,
    resolveCheck(view) {
      current = view;
      pending.shift()?.resolve(copy(view));
    },
    rejectCheck(message) {
      pending.shift()?.reject(new Error(message));
    },
    emit(view) {
      current = view;
      for (const listener of listeners) listener(copy(view));
    },
    failNext(method, message) {
      failures.set(method, message);
    },
  };
  scope.__postureStub = control;
}

// ---------------------------------------------------------------------------------------------
// Helpers

let browser: Browser;
const open: WindowPage[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((window) => window.close()));
});

afterAll(async () => {
  await browser?.close();
});

interface OpenStateOptions extends OpenWindowOptions {
  copyResult?: boolean;
}

async function openWindow(view: TrayView | null, options: OpenStateOptions = {}): Promise<WindowPage> {
  const { copyResult = true, ...rest } = options;
  const setup: StubSetup | null = view === null ? null : { view, copyResult };
  const window = await openWindowPage(browser, {
    fixedTime: options.clockAt === undefined ? TRAY_NOW : undefined,
    ...rest,
    initScripts: setup === null ? [] : [{ fn: installStubBridge, arg: setup }],
  });
  open.push(window);
  await waitForWindow(window.page);
  return window;
}

async function calls(page: Page, method?: string): Promise<StubCall[]> {
  const all = await page.evaluate(() => (globalThis as StubScope).__postureStub.calls);
  return method === undefined ? all : all.filter((entry) => entry.method === method);
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').trim();
}

async function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ?? '');
}


function expectClean(window: WindowPage): void {
  expect(window.problems()).toEqual([]);
  expect(window.foreignRequests).toEqual([]);
  for (const url of window.requests) expect(url.startsWith(OWN_FILES_PREFIX), url).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// What each state shows

const BADGES: Readonly<Record<DaemonState, string>> = {
  compliant: 'Compliant',
  warning: 'Needs attention soon',
  noncompliant: 'Access blocked',
  unknown: 'Status unknown',
  offline: 'Cannot reach the service',
};

interface ExpectedCheck {
  id: string;
  kind: 'pass' | 'blocking' | 'grace' | 'warn' | 'attention';
  status: 'Passed' | 'Failed' | 'Unknown';
  impact: string | null;
  deadline?: string;
}

const pass = (id: string): ExpectedCheck => ({ id, kind: 'pass', status: 'Passed', impact: null });

/** In the order shown: what blocks access first, then grace periods, then warnings, then passes. */
const EXPECTED_CHECKS: Readonly<Record<DaemonState, readonly ExpectedCheck[]>> = {
  compliant: [pass('disk-encryption'), pass('os-version'), pass('antivirus'), pass('firewall')],
  warning: [
    // 09:30 UTC is 10:30 in Berlin, the page's time zone.
    { id: 'os-version', kind: 'grace', status: 'Failed', impact: 'Grace period', deadline: 'Fix before Tue 24 Nov, 10:30' },
    { id: 'firewall', kind: 'warn', status: 'Failed', impact: 'Warning only' },
    pass('disk-encryption'),
    pass('antivirus'),
  ],
  noncompliant: [
    { id: 'disk-encryption', kind: 'blocking', status: 'Failed', impact: 'Blocks access' },
    { id: 'antivirus', kind: 'blocking', status: 'Failed', impact: 'Blocks access' },
    { id: 'firewall', kind: 'warn', status: 'Failed', impact: 'Warning only' },
    pass('os-version'),
  ],
  unknown: [
    { id: 'disk-encryption', kind: 'attention', status: 'Unknown', impact: 'Needs attention' },
    { id: 'firewall', kind: 'warn', status: 'Unknown', impact: 'Warning only' },
    pass('os-version'),
    pass('antivirus'),
  ],
  offline: [pass('disk-encryption'), pass('os-version'), pass('antivirus'), pass('firewall')],
};

const EXPECTED_SUMMARY: Readonly<Record<DaemonState, string>> = {
  compliant: 'All 4 checks pass.',
  warning: '2 of 4 checks need attention.',
  noncompliant: '3 of 4 checks need attention.',
  unknown: '2 of 4 checks need attention.',
  offline: 'All 4 checks pass.',
};

/** Relative times at TRAY_NOW, and the exact time (en-GB, Europe/Berlin) in each <time>'s title. */
const EXPECTED_TIMES: Readonly<Record<DaemonState, { lastCheck: string; lastDelivery: string | null; nextCheck: string }>> = {
  compliant: { lastCheck: '2 minutes ago', lastDelivery: '7 minutes ago', nextCheck: 'in 3 minutes' },
  warning: { lastCheck: '2 minutes ago', lastDelivery: '7 minutes ago', nextCheck: 'in 3 minutes' },
  noncompliant: { lastCheck: '2 minutes ago', lastDelivery: '7 minutes ago', nextCheck: 'in 3 minutes' },
  unknown: { lastCheck: '2 minutes ago', lastDelivery: null, nextCheck: 'in 3 minutes' },
  offline: { lastCheck: '2 minutes ago', lastDelivery: '2 hours ago', nextCheck: 'in 4 minutes' },
};

async function expectCheck(page: Page, view: TrayView, expected: ExpectedCheck): Promise<void> {
  const source = view.checks.find((check) => check.id === expected.id);
  if (!source) throw new Error(`the sample view has no check ${expected.id}`);
  const row = page.locator(`#checks > li[data-check="${expected.id}"]`);
  expect(await row.getAttribute('data-kind'), expected.id).toBe(expected.kind);
  expect(await row.locator('h3').textContent()).toBe(source.title);
  expect(await row.locator('.tag-status').textContent()).toBe(expected.status);
  if (expected.impact === null) expect(await row.locator('.tag-impact').count()).toBe(0);
  else expect(await row.locator('.tag-impact').textContent()).toBe(expected.impact);
  // Never colour alone: an icon for every check.
  expect(await row.locator('.check-icon svg.icon').count()).toBe(1);
  expect(await row.locator('.check-reason').textContent()).toBe(source.reason);
  if (expected.kind === 'pass') {
    expect(await row.locator('.check-fix').count()).toBe(0);
  } else {
    expect(source.remediation).toBeTruthy();
    expect(await row.locator('.check-fix').textContent()).toBe(`How to fix: ${source.remediation ?? ''}`);
  }
  if (expected.deadline === undefined) {
    expect(await row.locator('.check-deadline').count()).toBe(0);
  } else {
    const time = row.locator('.check-deadline time');
    expect(await time.textContent()).toBe(expected.deadline);
    expect(await time.getAttribute('datetime')).toBe(source.graceDeadline);
  }
}

async function expectState(window: WindowPage, state: DaemonState): Promise<void> {
  const { page } = window;
  const view = TRAY_VIEWS[state];

  expect(await page.locator('#status').getAttribute('data-state')).toBe(state);
  expect(await text(page, '#badge')).toBe(BADGES[state]);
  expect(await text(page, '#headline')).toBe(view.headline);
  expect(await page.locator('#status-icon svg.icon').count()).toBe(1);
  expect(await page.locator('#progress').isVisible()).toBe(false);
  // The live region holds the state in words.
  const live = page.locator('#status-live');
  expect(await live.getAttribute('role')).toBe('status');
  expect(await live.getAttribute('aria-live')).toBe('polite');
  expect(await live.textContent()).toContain(BADGES[state]);

  if (state === 'noncompliant') {
    expect(await page.locator('#blocked').isVisible()).toBe(true);
    const blocked = await text(page, '#blocked');
    expect(blocked).toBe(view.blockedReason);
    expect(blocked).toContain('Access is blocked because:');
    expect(blocked).toContain(REASONS.diskUnencrypted.replace(/\.$/, ''));
    expect(blocked).toContain(REASONS.noAntivirus.replace(/\.$/, ''));
  } else {
    expect(view.blockedReason).toBeNull();
    expect(await page.locator('#blocked').isVisible()).toBe(false);
  }

  const expectedChecks = EXPECTED_CHECKS[state];
  expect(await page.locator('#checks > li').evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { check: string } }).dataset.check))).toEqual(
    expectedChecks.map((check) => check.id),
  );
  for (const expected of expectedChecks) await expectCheck(page, view, expected);
  expect(await text(page, '#checks-summary')).toBe(EXPECTED_SUMMARY[state]);

  const times = EXPECTED_TIMES[state];
  expect(await text(page, '#last-check time')).toBe(times.lastCheck);
  expect(await page.locator('#last-check time').getAttribute('datetime')).toBe(LAST_CHECK_AT);
  expect(await page.locator('#last-check time').getAttribute('title')).toBe('Sunday, 22 November 2026 at 10:58');
  if (times.lastDelivery === null) {
    expect(await text(page, '#last-delivery')).toBe('Not yet');
    expect(await page.locator('#last-delivery time').count()).toBe(0);
  } else {
    expect(await text(page, '#last-delivery time')).toBe(times.lastDelivery);
    expect(await page.locator('#last-delivery time').getAttribute('datetime')).toBe(view.lastDeliveryAt);
  }
  expect(await text(page, '#next-check time')).toBe(times.nextCheck);
  expect(await page.locator('#next-check time').getAttribute('datetime')).toBe(view.nextCheckAt);

  expect(await text(page, '#device-id')).toBe(DEVICE_ID);
  expect(await page.locator('#copy-device-id').isVisible()).toBe(true);
  expect(await text(page, '#policy')).toBe(view.policy);
  expect(await page.locator('#tiers .chip').allTextContents()).toEqual(view.tiers);
  if (view.tiers.length === 0) expect(await text(page, '#tiers')).toBe('None');
  expect(await text(page, '#service')).toBe(SERVICE);

  if (view.error === null) {
    expect(await page.locator('#problem').isVisible()).toBe(false);
  } else {
    expect(await page.locator('#problem').isVisible()).toBe(true);
    expect(await text(page, '#problem-message')).toBe(view.error.message);
    expect(await text(page, '#problem-code')).toBe(`Code for IT: ${view.error.code}`);
  }
  expect(await page.locator('#notices').isVisible()).toBe(view.warnings.length > 0);
  expect(await page.locator('#notice-list li').allTextContents()).toEqual(view.warnings);

  expect(await page.getByRole('switch', { name: 'Start at login' }).isChecked()).toBe(false);
  expect(await page.locator('#collected').getAttribute('open')).toBeNull();
  expect(await page.locator('#collected-list dt').allTextContents()).toEqual(view.collected.map((item) => item.signal));
  expect(await page.locator('#collected-list dd').allTextContents()).toEqual(view.collected.map((item) => item.what));
  expect(await text(page, '#sent-to')).toBe(view.sentTo);
  expect(await page.locator('#alerts > *').count()).toBe(0);
}

async function pageBackground(page: Page): Promise<string> {
  return page.evaluate(() => {
    const scope = globalThis as unknown as { getComputedStyle(node: unknown): { backgroundColor: string }; document: { body: unknown } };
    return scope.getComputedStyle(scope.document.body).backgroundColor;
  });
}

describe('the tray window, state by state (light and dark)', () => {
  it('the sample views are what the states need', () => {
    const warning = TRAY_VIEWS.warning.checks;
    expect(warning.some((check) => check.severity === 'block' && check.status === 'fail' && !check.blocking && check.graceDeadline === GRACE_DEADLINE)).toBe(true);
    expect(warning.some((check) => check.severity === 'warn' && check.status === 'fail')).toBe(true);
    expect(TRAY_VIEWS.noncompliant.checks.filter((check) => check.blocking)).toHaveLength(2);
    expect(TRAY_VIEWS.noncompliant.blockedReason).toBeTruthy();
    expect(TRAY_VIEWS.unknown.checks.some((check) => check.status === 'unknown')).toBe(true);
    expect(TRAY_VIEWS.unknown.error).not.toBeNull();
    expect(TRAY_VIEWS.offline.error?.code).toBe('ERR_SERVICE_UNREACHABLE');
    expect(TRAY_VIEWS.compliant.nextCheckAt).toBe(NEXT_CHECK_AT);
    expect(TRAY_VIEWS.compliant.lastDeliveryAt).toBe(LAST_DELIVERY_AT);
    expect(TRAY_VIEWS.compliant.policy).toBe(POLICY);
  });

  for (const state of TRAY_STATES) {
    it(`${state}: badge, headline, checks, times, device and what is collected; screenshots`, async () => {
      const window = await openWindow(TRAY_VIEWS[state]);
      const { page } = window;
      await expectState(window, state);
      await page.screenshot({ path: join(ARTIFACTS, `${state}-light.png`), animations: 'disabled' });
      await page.screenshot({ path: join(ARTIFACTS, `${state}-light-full.png`), animations: 'disabled', fullPage: true });
      const light = await pageBackground(page);

      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = await pageBackground(page);
      expect(dark).not.toBe(light);
      expect(dark).toBe('rgb(21, 23, 28)');
      await expectState(window, state);
      await page.screenshot({ path: join(ARTIFACTS, `${state}-dark.png`), animations: 'disabled' });
      await page.screenshot({ path: join(ARTIFACTS, `${state}-dark-full.png`), animations: 'disabled', fullPage: true });

      expect(await calls(page, 'getView')).toHaveLength(1);
      expectClean(window);
    });
  }
});

describe('the tray window, behaviour', () => {
  it('Check now: disables itself and shows progress while the check runs, then shows the new view', async () => {
    const window = await openWindow(TRAY_VIEWS.warning);
    const { page } = window;
    const button = page.getByRole('button', { name: 'Check now' });
    expect(await button.getAttribute('aria-disabled')).toBe('false');

    await button.click();
    await until('checkNow called', async () => (await calls(page, 'checkNow')).length === 1);
    const busy = page.locator('#check-now');
    expect(await busy.getAttribute('aria-disabled')).toBe('true');
    expect(await busy.isDisabled()).toBe(true);
    expect(await text(page, '#check-now-label')).toBe('Checking…');
    expect(await busy.locator('.spinner').isVisible()).toBe(true);
    expect(await page.locator('#progress').isVisible()).toBe(true);
    expect(await text(page, '#progress')).toBe('Checking…');
    // While it runs, pressing it again asks for nothing more, and the button keeps the focus.
    await busy.dispatchEvent('click');
    await page.keyboard.press('Enter');
    expect(await calls(page, 'checkNow')).toHaveLength(1);
    expect(await focusedId(page)).toBe('check-now');
    // The old view stays until the answer comes.
    expect(await text(page, '#badge')).toBe(BADGES.warning);

    await page.evaluate((view) => (globalThis as StubScope).__postureStub.resolveCheck(view), TRAY_VIEWS.compliant);
    await until('the new view', async () => (await text(page, '#badge')) === BADGES.compliant);
    expect(await text(page, '#headline')).toBe(TRAY_VIEWS.compliant.headline);
    expect(await page.locator('#status').getAttribute('data-state')).toBe('compliant');
    expect(await page.locator('#checks .check-fix').count()).toBe(0);
    expect(await busy.getAttribute('aria-disabled')).toBe('false');
    expect(await text(page, '#check-now-label')).toBe('Check now');
    expect(await page.locator('#progress').isVisible()).toBe(false);
    await until('the check is announced', async () => (await text(page, '#announcer')) === 'Check finished.');

    // And it can run again.
    await button.click();
    expect(await calls(page, 'checkNow')).toHaveLength(2);
    expectClean(window);
  });

  it('Check now: a failed check is shown in the page, the last view stays, and the button works again', async () => {
    const window = await openWindow(TRAY_VIEWS.noncompliant);
    const { page } = window;
    await page.locator('#check-now').click();
    await until('checkNow called', async () => (await calls(page, 'checkNow')).length === 1);
    await page.evaluate(() => (globalThis as StubScope).__postureStub.rejectCheck("Error invoking remote method 'posture:check-now': Error: The agent is not running."));
    await until('the error', async () => (await page.locator('#alerts .alert').count()) === 1);
    expect(await text(page, '#alerts .alert')).toBe('Could not check now: The agent is not running.');
    expect(await page.getByRole('alert').textContent()).toBe('Could not check now: The agent is not running.');
    expect(await text(page, '#badge')).toBe(BADGES.noncompliant);
    expect(await page.locator('#check-now').getAttribute('aria-disabled')).toBe('false');
    expect(await page.locator('#progress').isVisible()).toBe(false);

    // The next check that succeeds clears the message.
    await page.locator('#check-now').click();
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.resolveCheck(view), TRAY_VIEWS.compliant);
    await until('the new view', async () => (await text(page, '#badge')) === BADGES.compliant);
    expect(await page.locator('#alerts .alert').count()).toBe(0);
    expectClean(window);
  });

  it('shows "Checking…" while the view says a check is running', async () => {
    const window = await openWindow(trayView('compliant', { checking: true }));
    const { page } = window;
    expect(await page.locator('#progress').isVisible()).toBe(true);
    expect(await page.locator('#status-live').textContent()).toContain('Checking…');
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.emit(view), TRAY_VIEWS.compliant);
    await until('progress gone', async () => !(await page.locator('#progress').isVisible()));
    expectClean(window);
  });

  it('Copy: asks the app to copy the device ID and says "Copied"; a refusal or failure is shown', async () => {
    const window = await openWindow(TRAY_VIEWS.compliant);
    const { page } = window;
    const copy = page.getByRole('button', { name: 'Copy device ID' });
    await copy.click();
    await until('Copied', async () => (await text(page, '#copy-label')) === 'Copied');
    expect(await calls(page, 'copyDeviceId')).toEqual([{ method: 'copyDeviceId', args: [] }]);
    expect(await page.getByRole('button', { name: 'Copied', exact: true }).count()).toBe(1);
    await until('the copy is announced', async () => (await text(page, '#announcer')) === 'Device ID copied.');
    // Back to "Copy" after a moment.
    await until('Copy again', async () => (await text(page, '#copy-label')) === 'Copy');
    expect(await page.getByRole('button', { name: 'Copy device ID', exact: true }).count()).toBe(1);

    await page.evaluate(() => (globalThis as StubScope).__postureStub.failNext('copyDeviceId', 'The clipboard is not available.'));
    await copy.click();
    await until('the error', async () => (await page.locator('#alerts .alert').count()) === 1);
    expect(await text(page, '#alerts .alert')).toBe('Could not copy the device ID: The clipboard is not available.');
    expect(await text(page, '#copy-label')).toBe('Copy');
    expect(await calls(page, 'copyDeviceId')).toHaveLength(2);
    expectClean(window);
  });

  it('Copy: the app answering false (nothing copied) is an error, not "Copied"', async () => {
    const window = await openWindow(TRAY_VIEWS.compliant, { copyResult: false });
    const { page } = window;
    await page.locator('#copy-device-id').click();
    await until('the error', async () => (await page.locator('#alerts .alert').count()) === 1);
    expect(await text(page, '#alerts .alert')).toBe('Could not copy the device ID: The app could not put it on the clipboard.');
    expect(await text(page, '#copy-label')).toBe('Copy');
    expect(await calls(page, 'copyDeviceId')).toHaveLength(1);
    expectClean(window);
  });

  it('Start at login: the switch asks the app for the new value and shows its answer; a failure puts it back', async () => {
    const window = await openWindow(TRAY_VIEWS.compliant);
    const { page } = window;
    const toggle = page.getByRole('switch', { name: 'Start at login' });
    expect(await toggle.isChecked()).toBe(false);

    await toggle.click();
    await until('the call', async () => (await calls(page, 'setStartAtLogin')).length === 1);
    expect(await calls(page, 'setStartAtLogin')).toEqual([{ method: 'setStartAtLogin', args: [true] }]);
    expect(await toggle.isChecked()).toBe(true);

    await toggle.click();
    await until('the second call', async () => (await calls(page, 'setStartAtLogin')).length === 2);
    expect((await calls(page, 'setStartAtLogin'))[1]?.args).toEqual([false]);
    expect(await toggle.isChecked()).toBe(false);

    await page.evaluate(() => (globalThis as StubScope).__postureStub.failNext('setStartAtLogin', 'Login items cannot be changed by this user.'));
    await toggle.click();
    await until('the error', async () => (await page.locator('#alerts .alert').count()) === 1);
    expect(await text(page, '#alerts .alert')).toBe('Could not change "Start at login": Login items cannot be changed by this user.');
    expect((await calls(page, 'setStartAtLogin'))[2]?.args).toEqual([true]);
    expect(await toggle.isChecked()).toBe(false);

    // The app's own answer wins: a view saying it is on turns the switch on.
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.emit(view), trayView('compliant', { startAtLogin: true }));
    await until('switch on', () => toggle.isChecked());
    expectClean(window);
  });

  it('re-renders on every onViewChanged, from one subscription', async () => {
    const window = await openWindow(TRAY_VIEWS.compliant);
    const { page } = window;
    expect(await page.evaluate(() => (globalThis as StubScope).__postureStub.listenerCount())).toBe(1);
    for (const state of ['noncompliant', 'offline', 'warning', 'compliant'] as const) {
      await page.evaluate((view) => (globalThis as StubScope).__postureStub.emit(view), TRAY_VIEWS[state]);
      await until(`the ${state} view`, async () => (await page.locator('#status').getAttribute('data-state')) === state);
      await expectState(window, state);
    }
    expect(await page.evaluate(() => (globalThis as StubScope).__postureStub.listenerCount())).toBe(1);
    expect(await calls(page, 'onViewChanged')).toHaveLength(1);
    expect(await calls(page, 'getView')).toHaveLength(1);
    expectClean(window);
  });

  it('keyboard: Tab reaches Check now, Copy, the switch and "What is collected" in order; Enter and Space activate each', async () => {
    const window = await openWindow(TRAY_VIEWS.warning);
    const { page } = window;
    const order: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      await page.keyboard.press('Tab');
      order.push(await focusedId(page));
    }
    expect(order).toEqual(['check-now', 'copy-device-id', 'start-at-login', 'collected-summary']);
    // The focus is visible on each: a 2px outline (on the switch's track, since its input is invisible).
    await page.keyboard.press('Shift+Tab');
    expect(await focusedId(page)).toBe('start-at-login');
    expect(await outline(page, '#start-at-login + .switch-track')).toMatch(/^solid [2-9]/);
    await page.keyboard.press('Shift+Tab');
    expect(await outline(page, '#copy-device-id')).toMatch(/^solid [2-9]/);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedId(page)).toBe('check-now');
    expect(await outline(page, '#check-now')).toMatch(/^solid [2-9]/);

    // Check now: Enter, then Space.
    await page.keyboard.press('Enter');
    await until('checkNow', async () => (await calls(page, 'checkNow')).length === 1);
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.resolveCheck(view), TRAY_VIEWS.warning);
    await until('done', async () => (await page.locator('#check-now').getAttribute('aria-disabled')) === 'false');
    expect(await focusedId(page)).toBe('check-now');
    await page.keyboard.press('Space');
    await until('checkNow again', async () => (await calls(page, 'checkNow')).length === 2);
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.resolveCheck(view), TRAY_VIEWS.warning);
    await until('done again', async () => (await page.locator('#check-now').getAttribute('aria-disabled')) === 'false');

    // Copy: Enter, then Space.
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('copy-device-id');
    await page.keyboard.press('Enter');
    await until('copy', async () => (await calls(page, 'copyDeviceId')).length === 1);
    await until('copy settled', async () => (await page.locator('#copy-device-id').getAttribute('aria-disabled')) === 'false');
    await page.keyboard.press('Space');
    await until('copy again', async () => (await calls(page, 'copyDeviceId')).length === 2);

    // The switch: Space turns it on, Enter turns it off.
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('start-at-login');
    await page.keyboard.press('Space');
    await until('on', async () => (await calls(page, 'setStartAtLogin')).length === 1);
    await until('checked', () => page.locator('#start-at-login').isChecked());
    await page.keyboard.press('Enter');
    await until('off', async () => (await calls(page, 'setStartAtLogin')).length === 2);
    expect((await calls(page, 'setStartAtLogin')).map((entry) => entry.args)).toEqual([[true], [false]]);
    await until('unchecked', async () => !(await page.locator('#start-at-login').isChecked()));

    // What is collected: Enter opens it, Space closes it.
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('collected-summary');
    expect(await page.locator('#collected-list').isVisible()).toBe(false);
    await page.keyboard.press('Enter');
    await until('open', async () => (await page.locator('#collected').getAttribute('open')) !== null);
    expect(await page.locator('#collected-list').isVisible()).toBe(true);
    expect(await page.locator('#sent-to').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'collected-open-light-full.png'), animations: 'disabled', fullPage: true });
    await page.keyboard.press('Space');
    await until('closed', async () => (await page.locator('#collected').getAttribute('open')) === null);
    expectClean(window);
  });

  it('uses the user\'s locale and time zone for the deadline and the exact times', async () => {
    const window = await openWindow(TRAY_VIEWS.warning, { locale: 'en-US', timezoneId: 'America/New_York' });
    const { page } = window;
    // 09:30 UTC is 04:30 in New York.
    expect(await text(page, '#checks li[data-check="os-version"] .check-deadline')).toBe('Fix before Tue, Nov 24, 4:30 AM');
    expect(await page.locator('#checks li[data-check="os-version"] .check-deadline time').getAttribute('title')).toBe('Tuesday, November 24, 2026 at 4:30 AM');
    expect(await page.locator('#last-check time').getAttribute('title')).toBe('Sunday, November 22, 2026 at 4:58 AM');
    expect(await text(page, '#last-check time')).toBe('2 minutes ago');

    const german = await openWindow(TRAY_VIEWS.warning, { locale: 'de-DE', timezoneId: 'Asia/Tokyo' });
    // 09:30 UTC is 18:30 in Tokyo.
    expect(await text(german.page, '#checks li[data-check="os-version"] .check-deadline time')).toBe('Fix before Di., 24. Nov., 18:30');
    expect(await text(german.page, '#last-check time')).toBe('vor 2 Minuten');
    expectClean(window);
    expectClean(german);
  });

  it('relative times move on as time passes', async () => {
    const window = await openWindow(TRAY_VIEWS.compliant, { clockAt: TRAY_NOW });
    const { page } = window;
    expect(await text(page, '#last-check time')).toBe('2 minutes ago');
    expect(await text(page, '#status-meta')).toBe('Last check 2 minutes ago');
    expect(await text(page, '#next-check time')).toBe('in 3 minutes');
    await page.clock.fastForward(60_000);
    await until('a minute later', async () => (await text(page, '#last-check time')) === '3 minutes ago');
    expect(await text(page, '#status-meta')).toBe('Last check 3 minutes ago');
    expect(await text(page, '#next-check time')).toBe('in 2 minutes');
    expect(await text(page, '#last-delivery time')).toBe('8 minutes ago');
    expectClean(window);
  });

  it('a failure to load the view is shown, and a later view replaces it', async () => {
    const failing = {
      content: `(${((message: string) => {
        const scope = globalThis as unknown as { __postureStub?: { failNext(method: string, text: string): void } };
        scope.__postureStub?.failNext('getView', message);
      }).toString()})(${JSON.stringify('The agent is starting.')});`,
    };
    const window = await openWindowPage(browser, {
      fixedTime: TRAY_NOW,
      initScripts: [{ fn: installStubBridge, arg: { view: TRAY_VIEWS.compliant, copyResult: true } satisfies StubSetup }, failing],
    });
    open.push(window);
    const { page } = window;
    await waitForWindow(page);
    expect(await text(page, '#alerts .alert')).toBe('Could not load the status: The agent is starting.');
    expect(await text(page, '#badge')).toBe('Loading…');
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.emit(view), TRAY_VIEWS.offline);
    await until('the view', async () => (await text(page, '#badge')) === BADGES.offline);
    expect(await page.locator('#alerts .alert').count()).toBe(0);
    expectClean(window);
  });

  it('a view it cannot render is reported in the page, not thrown away', async () => {
    const window = await openWindow(TRAY_VIEWS.compliant);
    const { page } = window;
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.emit(view), { ...TRAY_VIEWS.warning, checks: null } as unknown as TrayView);
    await until('the error', async () => (await page.locator('#alerts .alert').count()) === 1);
    expect(await text(page, '#alerts .alert')).toMatch(/^Could not show the status: /);
    await page.evaluate((view) => (globalThis as StubScope).__postureStub.emit(view), TRAY_VIEWS.noncompliant);
    await until('the next view', async () => (await page.locator('#alerts .alert').count()) === 0);
    await expectState(window, 'noncompliant');
    expectClean(window);
  });

  it('without a bridge (opened outside the app) it says so instead of failing silently', async () => {
    const window = await openWindow(null);
    const { page } = window;
    expect(await text(page, '#badge')).toBe('Not connected');
    expect(await text(page, '#alerts .alert')).toContain('not connected to the Posture Agent app');
    expect(await page.locator('#check-now').getAttribute('aria-disabled')).toBe('true');
    expectClean(window);
  });
});

async function outline(page: Page, selector: string): Promise<string> {
  return page.locator(selector).evaluate((node) => {
    const scope = globalThis as unknown as { getComputedStyle(node: unknown): { outlineStyle: string; outlineWidth: string } };
    const style = scope.getComputedStyle(node);
    return `${style.outlineStyle} ${style.outlineWidth}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy, network, console, contrast

/** The bits of the DOM the page-side checks below use (the tests are compiled without the DOM library). */
interface BrowserNode {
  nodeType: number;
  textContent: string | null;
  tagName: string;
  childNodes: ArrayLike<BrowserNode>;
  parentElement: BrowserNode | null;
  closest(selector: string): BrowserNode | null;
  getClientRects(): { length: number };
  querySelectorAll(selector: string): ArrayLike<BrowserNode>;
}
interface BrowserStyle {
  color: string;
  backgroundColor: string;
  fontSize: string;
  fontWeight: string;
  visibility: string;
}
interface BrowserScope {
  document: { body: BrowserNode; head: BrowserNode; createElement(tag: string): BrowserNode & { textContent: string } };
  getComputedStyle(node: BrowserNode): BrowserStyle;
}

interface ContrastFailure {
  what: string;
  ratio: number;
  needed: number;
  fg: string;
  bg: string;
}

/**
 * WCAG 2 contrast of every visible piece of text (4.5:1, or 3:1 for large text) and of the icons
 * and the switch's track (3:1 for graphics and controls), against the background actually under
 * them (the ancestors' backgrounds composited).
 */
function contrastFailures(): ContrastFailure[] {
  const scope = globalThis as unknown as BrowserScope;
  type Rgba = [number, number, number, number];
  const parse = (value: string): Rgba => {
    const match = /rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)/.exec(value);
    if (!match) throw new Error(`cannot read colour ${value}`);
    return [Number(match[1]), Number(match[2]), Number(match[3]), match[4] === undefined ? 1 : Number(match[4])];
  };
  const over = (top: Rgba, bottom: Rgba): Rgba => [
    top[3] * top[0] + (1 - top[3]) * bottom[0],
    top[3] * top[1] + (1 - top[3]) * bottom[1],
    top[3] * top[2] + (1 - top[3]) * bottom[2],
    1,
  ];
  const luminance = (color: Rgba): number => {
    const channel = (value: number): number => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(color[0]) + 0.7152 * channel(color[1]) + 0.0722 * channel(color[2]);
  };
  const ratioOf = (a: Rgba, b: Rgba): number => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
    return (light + 0.05) / (dark + 0.05);
  };
  const backgroundUnder = (node: BrowserNode | null): Rgba => {
    const layers: Rgba[] = [];
    for (let current = node; current; current = current.parentElement) layers.unshift(parse(scope.getComputedStyle(current).backgroundColor));
    return layers.reduce<Rgba>((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const css = (color: Rgba): string => `rgb(${color.slice(0, 3).map(Math.round).join(', ')})`;
  const visible = (node: BrowserNode): boolean =>
    node.getClientRects().length > 0 && scope.getComputedStyle(node).visibility === 'visible' && node.closest('.visually-hidden, [aria-hidden="true"] .visually-hidden') === null;

  const failures: ContrastFailure[] = [];
  const check = (what: string, fgColor: Rgba, node: BrowserNode | null, needed: number): void => {
    const bg = backgroundUnder(node);
    const fg = over(fgColor, bg);
    const ratio = ratioOf(fg, bg);
    if (ratio < needed) failures.push({ what, ratio: Math.round(ratio * 100) / 100, needed, fg: css(fg), bg: css(bg) });
  };

  const all = Array.from(scope.document.body.querySelectorAll('*'));
  let texts = 0;
  for (const node of all) {
    const ownText = Array.from(node.childNodes).some((child) => child.nodeType === 3 && (child.textContent ?? '').trim() !== '');
    if (!ownText || !visible(node)) continue;
    const style = scope.getComputedStyle(node);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    check(`text "${(node.textContent ?? '').trim().slice(0, 40)}"`, parse(style.color), node, large ? 3 : 4.5);
    texts += 1;
  }
  for (const node of Array.from(scope.document.body.querySelectorAll('svg.icon'))) {
    if (visible(node)) check(`icon in ${node.parentElement?.tagName ?? '?'}`, parse(scope.getComputedStyle(node).color), node.parentElement, 3);
  }
  for (const node of Array.from(scope.document.body.querySelectorAll('.switch-track'))) {
    check('switch track', parse(scope.getComputedStyle(node).backgroundColor), node.parentElement, 3);
  }
  if (texts < 20) failures.push({ what: `only ${texts} pieces of text were checked`, ratio: 0, needed: 0, fg: '', bg: '' });
  return failures;
}

describe('the tray window, security and accessibility', () => {
  it('carries the strict Content-Security-Policy and nothing inline', async () => {
    const window = await openWindow(TRAY_VIEWS.noncompliant);
    const { page } = window;
    const policies = await page.locator('meta[http-equiv="Content-Security-Policy"]').evaluateAll((nodes) =>
      nodes.map((node) => (node as unknown as { content: string }).content),
    );
    expect(policies).toEqual([CSP]);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(await page.locator('style').count()).toBe(0);
    expect(await page.locator('[style]').count()).toBe(0);
    expect(await page.locator('img, iframe, object, embed, link:not([rel="stylesheet"])').count()).toBe(0);
    expectClean(window);
  });

  it('loads its own three files and nothing else, with no console error and no CSP violation', async () => {
    const window = await openWindow(TRAY_VIEWS.warning);
    const names = window.requests.map((url) => url.slice(OWN_FILES_PREFIX.length)).sort();
    expect(names).toEqual(['app.js', 'index.html', 'styles.css']);
    expect(window.foreignRequests).toEqual([]);
    expect(window.console.filter((entry) => entry.type === 'error' || entry.type === 'warning')).toEqual([]);
    expect(window.pageErrors).toEqual([]);
    expect(window.cspViolations).toEqual([]);
  });

  it('the policy is enforced and the recorders see it: injected inline script, style and remote loads are refused and reported', async () => {
    const window = await openWindow(TRAY_VIEWS.compliant);
    const { page } = window;
    const outcome = await page.evaluate(async () => {
      const scope = globalThis as unknown as BrowserScope & Record<string, unknown> & {
        document: { body: { append(node: unknown): void; setAttribute(name: string, value: string): void } };
        fetch(url: string): Promise<unknown>;
        Image: new () => { src: string };
      };
      const script = scope.document.createElement('script');
      script.textContent = 'globalThis.__inlineRan = true;';
      scope.document.body.append(script);
      scope.document.body.setAttribute('style', 'background: red');
      const image = new scope.Image();
      image.src = 'https://example.com/pixel.png';
      const fetched = await scope.fetch('https://example.com/data.json').then(
        () => 'fetched',
        () => 'refused',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { inlineRan: scope.__inlineRan === true, fetched };
    });
    expect(outcome).toEqual({ inlineRan: false, fetched: 'refused' });
    await until('the violations are reported', () => Promise.resolve(window.cspViolations.length >= 4));
    const directives = window.cspViolations.map((violation) => violation.directive).sort();
    expect(directives).toEqual(['connect-src', 'img-src', 'script-src-elem', 'style-src-attr']);
    expect(window.cspViolations.find((violation) => violation.directive === 'img-src')?.blockedURI).toBe('https://example.com/pixel.png');
    // The console saw them too, so a page that broke the policy by itself would fail the clean checks.
    expect(window.console.filter((entry) => entry.type === 'error').length).toBeGreaterThanOrEqual(3);
    expect(window.problems().length).toBeGreaterThanOrEqual(4);
    // CSP stops them before the network: no request ever left.
    expect(window.foreignRequests).toEqual([]);

    // The network recorder: a navigation (which no page CSP governs) is caught and aborted.
    await page.goto('http://example.invalid/').catch(() => undefined);
    expect(window.foreignRequests).toEqual(['http://example.invalid/']);
  });

  it('headings outline the page; landmarks, buttons and the switch are what they say', async () => {
    const window = await openWindow(TRAY_VIEWS.unknown);
    const { page } = window;
    const headings = await page.locator('h1, h2, h3').evaluateAll((nodes) =>
      nodes.map((node) => `${(node as unknown as BrowserNode).tagName} ${((node as unknown as BrowserNode).textContent ?? '').trim()}`),
    );
    const view = TRAY_VIEWS.unknown;
    const checkTitles = EXPECTED_CHECKS.unknown.map((expected) => view.checks.find((check) => check.id === expected.id)?.title ?? '?');
    expect(headings).toEqual([
      'H1 Device security',
      'H2 Status',
      'H2 Problem',
      'H2 Notices',
      'H2 Checks',
      ...checkTitles.map((title) => `H3 ${title}`),
      'H2 This device',
      'H2 Settings',
      'H2 What is collected',
    ]);
    expect(await page.getByRole('banner').count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);
    // Every control is a real one, with a name.
    expect(await page.locator('[role="button"], [onclick], a').count()).toBe(0);
    expect((await page.getByRole('button').allTextContents()).map((name) => name.replace(/\s+/g, ' ').trim())).toEqual(['Check now', 'Copy device ID']);
    expect(await page.getByRole('button', { name: 'Check now', exact: true }).count()).toBe(1);
    const toggle = page.getByRole('switch', { name: 'Start at login' });
    expect(await toggle.evaluate((node) => (node as unknown as { type: string }).type)).toBe('checkbox');
    expect(await page.locator('summary').count()).toBe(1);
    expectClean(window);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme} theme: text, icons and the switch have enough contrast in every state`, async () => {
      for (const state of TRAY_STATES) {
        const window = await openWindow(trayView(state, { startAtLogin: state === 'compliant' }), { colorScheme: theme });
        const { page } = window;
        await page.locator('#collected-summary').click();
        if (state === 'noncompliant') {
          // An error from the app and a check in progress, too.
          await page.evaluate(() => (globalThis as StubScope).__postureStub.failNext('copyDeviceId', 'The clipboard is not available.'));
          await page.locator('#copy-device-id').click();
          await until('the error', async () => (await page.locator('#alerts .alert').count()) === 1);
          await page.locator('#check-now').click();
          await until('checking', () => page.locator('#progress').isVisible());
          await page.screenshot({ path: join(ARTIFACTS, `noncompliant-checking-${theme}.png`), animations: 'disabled' });
        }
        expect(await page.evaluate(contrastFailures), `${state} (${theme})`).toEqual([]);
        expectClean(window);
        await window.close();
      }
    });
  }
});
