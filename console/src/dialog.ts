/**
 * Modal dialogs on the native <dialog>: showModal() makes the rest of the page inert (focus stays
 * inside), Escape closes it, and focus returns to what opened it.
 */
import { element } from './ui.js';

function openDialog(build: (dialog: HTMLDialogElement, close: (value: string) => void) => Node[], label: string): Promise<string> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const dialog = element('dialog', { attributes: { 'aria-label': label } });
  document.body.append(dialog);
  return new Promise((resolve) => {
    const close = (value: string) => dialog.close(value);
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus();
      resolve(dialog.returnValue);
    });
    dialog.append(...build(dialog, close));
    dialog.showModal();
  });
}

/** Asks before a change; resolves true when confirmed. */
export async function confirmAction(title: string, message: string, confirmLabel: string): Promise<boolean> {
  const answer = await openDialog((_dialog, close) => {
    const cancel = element('button', { text: 'Cancel', attributes: { type: 'button' } });
    cancel.addEventListener('click', () => close('cancel'));
    const confirm = element('button', { text: confirmLabel, className: 'danger', attributes: { type: 'button' } });
    confirm.addEventListener('click', () => close('confirm'));
    queueMicrotask(() => cancel.focus());
    return [element('h2', { text: title }), element('p', { text: message }), element('div', { className: 'actions' }, cancel, confirm)];
  }, title);
  return answer === 'confirm';
}

/** Shows a secret once, with a way to copy it. */
export async function showSecret(title: string, secret: string, advice: string): Promise<void> {
  await openDialog((_dialog, close) => {
    const value = element('input', { className: 'secret', attributes: { readonly: '', value: secret, 'aria-label': title } });
    const copy = element('button', { text: 'Copy', attributes: { type: 'button' } });
    copy.addEventListener('click', () => {
      value.select();
      void navigator.clipboard?.writeText(secret).catch(() => undefined);
    });
    const done = element('button', { text: 'Done', attributes: { type: 'button' } });
    done.addEventListener('click', () => close('done'));
    queueMicrotask(() => value.focus());
    return [element('h2', { text: title }), element('p', { text: advice }), element('div', { className: 'secret-row' }, value, copy), element('div', { className: 'actions' }, done)];
  }, title);
}
