/** Enrolment tokens and API keys: create (the secret is shown once), list, revoke. */
import type { ApiKey, EnrollmentToken } from '../api-types.js';
import { ApiError } from '../api.js';
import { confirmAction, showSecret } from '../dialog.js';
import { formatTime } from '../format.js';
import { button, element, field, input, notice, section, select, table } from '../ui.js';
import type { Page, PageContext } from './page.js';

/** A text field's value from a form (empty when it is missing). */
function text(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

function createForm(context: PageContext, title: string, controls: HTMLElement[], submitLabel: string, submit: (data: FormData) => Promise<void>): HTMLElement {
  if (!context.admin) return element('p', { className: 'meta', text: 'Viewers can look but not create or revoke.' });
  const result = element('div', { attributes: { 'aria-live': 'polite' } });
  const form = element('form', { className: 'filters' }, ...controls, element('div', { className: 'field actions' }, element('button', { text: submitLabel, attributes: { type: 'submit' } })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(new FormData(form)).then(() => context.refresh(), (error: unknown) => {
      result.replaceChildren(notice(error instanceof ApiError ? error.message : 'That did not work.', 'error'));
    });
  });
  return section(title, form, result);
}

function revokeButton(context: PageContext, what: string, path: string): Node {
  if (!context.admin) return document.createTextNode('—');
  return button('Revoke', () => {
    void confirmAction(`Revoke ${what}?`, 'It stops working at once; this cannot be undone.', 'Revoke').then(async (confirmed) => {
      if (!confirmed) return;
      await context.api.send('POST', path);
      context.refresh();
    });
  }, 'danger');
}

export const enrollmentTokensPage: Page = async (context) => {
  const { enrollmentTokens } = await context.api.get<{ enrollmentTokens: EnrollmentToken[] }>('/v1/enrollment-tokens');
  const create = createForm(context, 'New enrolment token', [
    field('Uses', input('uses', { type: 'number', min: '1', max: '1000000', value: '1', required: '' })),
    field('Expires in', select('expires', [['1h', '1 hour'], ['1d', '1 day'], ['7d', '7 days'], ['30d', '30 days']], '7d')),
    field('Note', input('note', { type: 'text', maxlength: '200' })),
  ], 'Create token', async (data) => {
    const note = text(data, 'note').trim();
    const created = await context.api.send<{ token: string }>('POST', '/v1/enrollment-tokens', {
      uses: Number(text(data, 'uses')), expires: text(data, 'expires'), ...(note === '' ? {} : { note }),
    });
    await showSecret('Enrolment token', created.token, 'Copy it now: it is shown only once. Agents enrol with posture-agent enroll --token.');
  });
  const rows = enrollmentTokens.map((token) => [
    token.id, token.note ?? '—', token.state, String(token.usesLeft), formatTime(token.createdAt), formatTime(token.expiresAt),
    token.state === 'active' ? revokeButton(context, `enrolment token ${token.id}`, `/v1/enrollment-tokens/${encodeURIComponent(token.id)}/revoke`) : '—',
  ]);
  return { title: 'Enrolment tokens', content: [create, table('Enrolment tokens', ['Id', 'Note', 'State', 'Uses left', 'Created', 'Expires', 'Action'], rows, { captionHidden: true })] };
};

export const apiKeysPage: Page = async (context) => {
  const { apiKeys } = await context.api.get<{ apiKeys: ApiKey[] }>('/v1/api-keys');
  const create = createForm(context, 'New API key', [
    field('Name', input('name', { type: 'text', maxlength: '200', required: '' })),
    field('Role', select('role', [['gateway', 'gateway (forward-auth, read devices)'], ['admin', 'admin (everything)']], 'gateway')),
  ], 'Create key', async (data) => {
    const created = await context.api.send<{ key: string }>('POST', '/v1/api-keys', { name: text(data, 'name'), role: text(data, 'role') });
    await showSecret('API key', created.key, 'Copy it now: it is shown only once. Send it as Authorization: Bearer <key>.');
  });
  const rows = apiKeys.map((key) => [
    key.id, key.name, key.role, formatTime(key.createdAt), key.revokedAt === null ? 'active' : `revoked ${formatTime(key.revokedAt)}`,
    key.revokedAt === null ? revokeButton(context, `API key ${key.name}`, `/v1/api-keys/${encodeURIComponent(key.id)}/revoke`) : '—',
  ]);
  return { title: 'API keys', content: [create, table('API keys', ['Id', 'Name', 'Role', 'Created', 'State', 'Action'], rows, { captionHidden: true })] };
};
