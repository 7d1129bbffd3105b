/**
 * Bridge wiring: loads the view, re-renders on every change, and runs the window's three actions
 * (Check now, Copy, Start at login). Every failure of the bridge is shown in the page.
 */
import type { PostureBridge } from '../../src/tray/ipc-contract.js';
import type { TrayView } from '../../src/tray/tray-view.js';
import { messageOf } from './bridge.js';
import { element, setText } from './dom.js';
import type { TimeFormat } from './format-time.js';
import { icon } from './icons.js';
import { renderChecks } from './render-checks.js';
import { renderCollected, renderDetails, renderProblems, renderStatus, renderTimes } from './render-state.js';
import type { Ui } from './ui.js';

/** The things that can fail, each with its own message (a later success clears only its own). */
type Action = 'load' | 'check' | 'copy' | 'startAtLogin' | 'render';

const FAILED: Readonly<Record<Action, string>> = {
  load: 'Could not load the status',
  check: 'Could not check now',
  copy: 'Could not copy the device ID',
  startAtLogin: 'Could not change "Start at login"',
  render: 'Could not show the status',
};

const COPIED_MS = 2_000;
const TIME_REFRESH_MS = 15_000;

export interface AppOptions {
  format: TimeFormat;
  /** The current time in ms (Date.now unless a caller needs another clock). */
  now?: () => number;
}

export interface App {
  /** Stops listening for view changes and timers. */
  stop(): void;
}

export function startApp(ui: Ui, bridge: PostureBridge | null, options: AppOptions): App {
  const now = options.now ?? (() => Date.now());
  let view: TrayView | null = null;
  let checkPending = false;
  let copyPending = false;
  let togglePending = false;
  let copiedTimer: ReturnType<typeof setTimeout> | undefined;
  const errors = new Map<Action, string>();

  function renderAlerts(): void {
    const wanted = [...errors.values()];
    const shown = [...ui.alerts.children].map((child) => child.textContent);
    if (wanted.length === shown.length && wanted.every((message, index) => message === shown[index])) return;
    // Each message is inserted as its own alert, which screen readers announce when it appears.
    ui.alerts.replaceChildren(...wanted.map((message) => element('p', { className: 'alert', text: message, attributes: { role: 'alert' } })));
  }

  function fail(action: Action, error: unknown): void {
    errors.set(action, `${FAILED[action]}: ${messageOf(error)}`);
    renderAlerts();
  }

  function succeed(action: Action): void {
    if (errors.delete(action)) renderAlerts();
  }

  function announce(message: string): void {
    // Clear first so the same message twice is announced twice.
    ui.announcer.textContent = '';
    setTimeout(() => (ui.announcer.textContent = message), 50);
  }

  function renderButtons(): void {
    const checkBusy = checkPending || bridge === null;
    ui.checkNow.setAttribute('aria-disabled', String(checkBusy));
    setText(ui.checkNowLabel, checkPending ? 'Checking…' : 'Check now');
    ui.copy.setAttribute('aria-disabled', String(copyPending || bridge === null));
    ui.startAtLogin.setAttribute('aria-disabled', String(bridge === null));
    ui.startAtLogin.setAttribute('aria-busy', String(togglePending));
  }

  function render(): void {
    renderButtons();
    if (view === null) return;
    try {
      renderStatus(ui, view, view.checking || checkPending);
      renderProblems(ui, view);
      renderChecks(ui.checks, ui.checksSummary, view.checks, options.format);
      renderDetails(ui, view, options.format, now());
      if (!togglePending) ui.startAtLogin.checked = view.startAtLogin;
      renderCollected(ui, view);
      ui.app.setAttribute('aria-busy', 'false');
      succeed('render');
    } catch (error) {
      ui.app.setAttribute('aria-busy', 'false');
      fail('render', error);
    }
  }

  function show(next: TrayView): void {
    view = next;
    render();
  }

  if (bridge === null) {
    errors.set('load', 'This window is not connected to the Posture Agent app, so it cannot show your device\'s status.');
    renderAlerts();
    renderButtons();
    ui.startAtLogin.disabled = true;
    ui.statusIcon.replaceChildren(icon('offline'));
    setText(ui.badge, 'Not connected');
    setText(ui.headline, 'Open this window from the Posture Agent icon in the tray.');
    ui.app.setAttribute('aria-busy', 'false');
    return { stop: () => undefined };
  }
  const posture = bridge;

  let changed = false;
  const unsubscribe = posture.onViewChanged((next) => {
    changed = true;
    succeed('load');
    show(next);
  });
  posture.getView().then(
    (first) => {
      succeed('load');
      // A change that arrived while loading is newer than this answer.
      if (!changed) show(first);
    },
    (error: unknown) => {
      fail('load', error);
      ui.app.setAttribute('aria-busy', 'false');
    },
  );

  async function checkNow(): Promise<void> {
    if (checkPending) return;
    checkPending = true;
    render();
    try {
      const next = await posture.checkNow();
      succeed('check');
      view = next;
      announce('Check finished.');
    } catch (error) {
      fail('check', error);
    } finally {
      checkPending = false;
      render();
    }
  }

  async function copyDeviceId(): Promise<void> {
    if (copyPending) return;
    copyPending = true;
    renderButtons();
    try {
      const copied = await posture.copyDeviceId();
      if (!copied) throw new Error('The app could not put it on the clipboard.');
      succeed('copy');
      setText(ui.copyLabel, 'Copied');
      ui.copySuffix.hidden = true;
      ui.copy.classList.add('copy-done');
      announce('Device ID copied.');
      clearTimeout(copiedTimer);
      copiedTimer = setTimeout(() => {
        setText(ui.copyLabel, 'Copy');
        ui.copySuffix.hidden = false;
        ui.copy.classList.remove('copy-done');
      }, COPIED_MS);
    } catch (error) {
      fail('copy', error);
    } finally {
      copyPending = false;
      renderButtons();
    }
  }

  async function setStartAtLogin(enabled: boolean): Promise<void> {
    togglePending = true;
    renderButtons();
    try {
      const next = await posture.setStartAtLogin(enabled);
      succeed('startAtLogin');
      view = next;
    } catch (error) {
      fail('startAtLogin', error);
    } finally {
      togglePending = false;
      // Shows what the app answered, or puts the switch back when it failed.
      if (view) ui.startAtLogin.checked = view.startAtLogin;
      render();
    }
  }

  ui.checkNow.addEventListener('click', () => void checkNow());
  ui.copy.addEventListener('click', () => void copyDeviceId());
  ui.startAtLogin.addEventListener('click', (event) => {
    // One change at a time: a click while the last one is still being saved does nothing.
    if (togglePending) event.preventDefault();
  });
  ui.startAtLogin.addEventListener('change', () => void setStartAtLogin(ui.startAtLogin.checked));
  ui.startAtLogin.addEventListener('keydown', (event) => {
    // A switch toggles with Enter as well as Space.
    if (event.key === 'Enter') {
      event.preventDefault();
      ui.startAtLogin.click();
    }
  });

  const timer = setInterval(() => {
    if (view) renderTimes(ui, view, options.format, now());
  }, TIME_REFRESH_MS);

  return {
    stop() {
      unsubscribe();
      clearInterval(timer);
      clearTimeout(copiedTimer);
    },
  };
}
