/**
 * The console's page script: signs in (or goes to the sign-in page), then draws the page the
 * hash names. Every piece of data comes from the JSON API; nothing is inline (strict CSP).
 */
import { byId } from '../../renderer/src/dom.js';
import { Api, ApiError, SIGN_IN_URL } from './api.js';
import { destroyCharts } from './charts.js';
import { auditPage } from './pages/audit.js';
import { apiKeysPage, enrollmentTokensPage } from './pages/credentials.js';
import { devicePage } from './pages/device.js';
import { devicesPage } from './pages/devices.js';
import { overviewPage } from './pages/overview.js';
import type { Page } from './pages/page.js';
import { policyPage } from './pages/policy.js';
import { currentRoute } from './router.js';
import { element, heading, notice } from './ui.js';

const PAGES: Record<string, Page> = {
  overview: overviewPage,
  devices: devicesPage,
  'enrollment-tokens': enrollmentTokensPage,
  'api-keys': apiKeysPage,
  policy: policyPage,
  audit: auditPage,
};

const api = new Api();
const main = byId('main', HTMLElement);
let drawing = 0;

function markCurrent(page: string): void {
  for (const anchor of document.querySelectorAll<HTMLAnchorElement>('nav.primary a')) {
    if (anchor.dataset['page'] === page) anchor.setAttribute('aria-current', 'page');
    else anchor.removeAttribute('aria-current');
  }
}

async function draw(focus: boolean): Promise<void> {
  const turn = ++drawing;
  const route = currentRoute();
  const page = route.page === 'devices' && route.args.length > 0 ? devicePage : PAGES[route.page];
  markCurrent(route.page);
  main.setAttribute('aria-busy', 'true');
  let title: string;
  let content: Node[];
  try {
    if (page === undefined) throw new ApiError(404, 'ERR_NOT_FOUND_ROUTE', 'There is no such page in the console.');
    ({ title, content } = await page({ api, route, admin: api.session.role === 'admin', refresh: () => void draw(false) }));
  } catch (error) {
    title = error instanceof ApiError && error.status === 404 ? 'Not found' : 'Something went wrong';
    content = [notice(error instanceof Error ? error.message : String(error), 'error')];
  }
  if (turn !== drawing) return;
  destroyCharts();
  const h1 = heading(title);
  main.replaceChildren(h1, ...content);
  document.title = `${title} · Posture console`;
  main.setAttribute('aria-busy', 'false');
  if (focus) h1.focus();
}

async function signOut(): Promise<void> {
  await fetch('/console/sign-out', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': api.session.csrfToken } });
  window.location.assign(SIGN_IN_URL);
}

async function start(): Promise<void> {
  const session = await api.signIn();
  const who = byId('who', HTMLElement);
  who.replaceChildren(
    document.createTextNode(session.name ?? session.email ?? session.subject),
    element('span', { className: `role role-${session.role}`, text: session.role }),
  );
  const signOutButton = byId('sign-out', HTMLButtonElement);
  signOutButton.hidden = false;
  signOutButton.addEventListener('click', () => void signOut());
  byId('skip-link', HTMLAnchorElement).addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => void draw(true));
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => void draw(false));
  await draw(false);
}

void start().catch((error: unknown) => {
  main.replaceChildren(heading('The console could not start'), notice(error instanceof Error ? error.message : String(error), 'error'));
  main.setAttribute('aria-busy', 'false');
});
