/**
 * The tray window in real Chromium (Debian's, launched by playwright-core): the built page
 * (dist/renderer, made by scripts/build-ui.mjs in the test global setup) loaded over file://, the
 * way Electron's loadFile loads it, at the window's size. Whatever provides `window.posture` is the
 * caller's: an init script (a stub bridge) or functions exposed from Node (the real agent core).
 *
 * Everything the page does that a test must see is recorded: console messages, uncaught errors,
 * Content-Security-Policy violations (the `securitypolicyviolation` event, reported to Node through
 * a binding) and every request. Any request that is not one of the page's own files is aborted
 * and recorded.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const RENDERER_DIR = join(ROOT, 'dist/renderer');
export const WINDOW_URL = pathToFileURL(join(RENDERER_DIR, 'index.html')).href;
/** The page's own files: the only URLs it may load. */
export const OWN_FILES_PREFIX = pathToFileURL(RENDERER_DIR).href + '/';
/** The tray window's size (src/main opens it at this size). */
export const WINDOW_SIZE = { width: 380, height: 560 } as const;

const CSP_BINDING = '__postureTestCspViolation';

/** Installs Debian's Chromium when it is missing (scripts/install-test-packages.sh; root or sudo). */
export async function ensureChromium(): Promise<void> {
  try {
    await access(CHROMIUM, constants.X_OK);
  } catch {
    await run(join(ROOT, 'scripts/install-test-packages.sh'), ['chromium'], { timeout: 600_000 });
    await access(CHROMIUM, constants.X_OK);
  }
  await access(join(RENDERER_DIR, 'index.html'), constants.R_OK).catch(() => {
    throw new Error(`${RENDERER_DIR} is not built: run node scripts/build-ui.mjs (the test global setup does).`);
  });
}

/** A fresh headless Chromium (its own temporary profile, deleted when it closes). */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
  sample: string;
}

export interface ConsoleEntry {
  type: string;
  text: string;
}

/** A script to run in the page before its own: a function (serialised) and its argument, or source text. */
export type InitScript = { content: string } | { fn: (arg: never) => unknown; arg?: unknown };

export interface OpenWindowOptions {
  /** Run in this order before the page's script, e.g. one that defines `window.posture`. */
  initScripts?: readonly InitScript[];
  /** Node functions the page can call as `window[name](...)` (Playwright exposeFunction). */
  exposedFunctions?: Readonly<Record<string, (...args: never[]) => unknown>>;
  /** Like exposedFunctions, but each call also gets the calling frame (Playwright exposeBinding). */
  exposedBindings?: Readonly<Record<string, Parameters<BrowserContext['exposeBinding']>[1]>>;
  colorScheme?: 'light' | 'dark';
  /** Default en-GB, so formatted times are predictable. */
  locale?: string;
  /** Default Europe/Berlin. */
  timezoneId?: string;
  /** The page's Date.now() stays at this time (timers still run). */
  fixedTime?: number;
  /** Installs Playwright's fake clock at this time instead, for tests that move time forward. */
  clockAt?: number;
  viewport?: { width: number; height: number };
}

export interface WindowPage {
  page: Page;
  context: BrowserContext;
  console: ConsoleEntry[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  cspViolations: CspViolation[];
  /** Every request the page made. */
  requests: string[];
  /** Requests for anything but the page's own files (aborted). */
  foreignRequests: string[];
  /** Console errors and warnings, uncaught errors and CSP violations, as text: empty for a clean page. */
  problems(): string[];
  close(): Promise<void>;
}

/** Listens for CSP violations from the first moment of the page and reports each to Node. */
export function reportCspViolations(binding: string): void {
  const scope = globalThis as unknown as {
    addEventListener(type: string, listener: (event: Record<string, unknown>) => void, capture: boolean): void;
  } & Record<string, (violation: unknown) => void>;
  scope.addEventListener(
    'securitypolicyviolation',
    (event) => {
      scope[binding]?.({
        directive: String(event.effectiveDirective),
        blockedURI: String(event.blockedURI),
        sourceFile: String(event.sourceFile),
        sample: String(event.sample),
      });
    },
    true,
  );
}

/** Opens the tray window's page in a new context (its own storage) and waits until it has loaded. */
export async function openWindowPage(browser: Browser, options: OpenWindowOptions = {}): Promise<WindowPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? WINDOW_SIZE,
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
    locale: options.locale ?? 'en-GB',
    timezoneId: options.timezoneId ?? 'Europe/Berlin',
    serviceWorkers: 'block',
  });
  const recorded: Omit<WindowPage, 'page' | 'context' | 'problems' | 'close'> = {
    console: [],
    pageErrors: [],
    cspViolations: [],
    requests: [],
    foreignRequests: [],
  };

  context.on('request', (request) => recorded.requests.push(request.url()));
  await context.route('**', async (route) => {
    const url = route.request().url();
    if (url.startsWith(OWN_FILES_PREFIX)) {
      await route.continue();
    } else {
      recorded.foreignRequests.push(url);
      await route.abort('blockedbyclient');
    }
  });
  await context.exposeBinding(CSP_BINDING, (_source, violation: CspViolation) => {
    recorded.cspViolations.push(violation);
  });
  await context.addInitScript(reportCspViolations, CSP_BINDING);
  for (const [name, fn] of Object.entries(options.exposedFunctions ?? {})) {
    await context.exposeFunction(name, fn);
  }
  for (const [name, fn] of Object.entries(options.exposedBindings ?? {})) {
    await context.exposeBinding(name, fn);
  }
  for (const script of options.initScripts ?? []) {
    if ('content' in script) await context.addInitScript({ content: script.content });
    else await context.addInitScript(script.fn, script.arg as never);
  }
  if (options.clockAt !== undefined) await context.clock.install({ time: options.clockAt });
  else if (options.fixedTime !== undefined) await context.clock.setFixedTime(options.fixedTime);

  const page = await context.newPage();
  page.on('console', (message) => recorded.console.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => recorded.pageErrors.push(error.message));
  await page.goto(WINDOW_URL);

  return {
    page,
    context,
    ...recorded,
    problems: () => [
      ...recorded.console.filter((entry) => entry.type === 'error' || entry.type === 'warning').map((entry) => `console ${entry.type}: ${entry.text}`),
      ...recorded.pageErrors.map((message) => `uncaught: ${message}`),
      ...recorded.cspViolations.map((violation) => `CSP ${violation.directive} blocked ${violation.blockedURI} (${violation.sample})`),
    ],
    close: () => context.close(),
  };
}

/** Waits until the window shows a view (or has given up loading one). */
export async function waitForWindow(page: Page): Promise<void> {
  await page.locator('#app[aria-busy="false"]').waitFor({ state: 'attached' });
}
