/** Building blocks the pages share: headings, tables, state badges, links, buttons, forms. */
import { element } from '../../renderer/src/dom.js';
import type { DeviceState } from './api-types.js';
import { stateLabel } from './format.js';

export { element };

export function heading(text: string, level: 1 | 2 = 1): HTMLHeadingElement {
  const node = element(level === 1 ? 'h1' : 'h2', { text });
  if (level === 1) node.tabIndex = -1;
  return node;
}

export function section(title: string, ...children: Node[]): HTMLElement {
  return element('section', { className: 'card' }, heading(title, 2), ...children);
}

export function link(text: string, href: string): HTMLAnchorElement {
  return element('a', { text, attributes: { href } });
}

export function button(text: string, onClick: () => void, className = ''): HTMLButtonElement {
  const node = element('button', { text, className, attributes: { type: 'button' } });
  node.addEventListener('click', onClick);
  return node;
}

export function badge(state: DeviceState): HTMLSpanElement {
  return element('span', { className: `badge state-${state}`, text: stateLabel(state) });
}

export type Cell = string | Node;

/** A table with a caption (shown, or only for screen readers) and header cells with scope. */
export function table(caption: string, headers: readonly string[], rows: readonly (readonly Cell[])[], options: { captionHidden?: boolean } = {}): HTMLTableElement {
  const captionNode = element('caption', { text: caption, className: options.captionHidden ? 'visually-hidden' : '' });
  const head = element('thead', {}, element('tr', {}, ...headers.map((text) => element('th', { text, attributes: { scope: 'col' } }))));
  const body = element('tbody', {}, ...rows.map((row) => element('tr', {}, ...row.map((cell) => element('td', {}, typeof cell === 'string' ? document.createTextNode(cell) : cell)))));
  if (rows.length === 0) body.append(element('tr', {}, element('td', { text: 'Nothing to show.', className: 'empty', attributes: { colspan: String(headers.length) } })));
  return element('table', {}, captionNode, head, body);
}

/** A labelled form control. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  control.id ||= `field-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return element('div', { className: 'field' }, element('label', { text: label, attributes: { for: control.id } }), control);
}

export function select(name: string, options: readonly (readonly [value: string, label: string])[], value: string): HTMLSelectElement {
  const node = element('select', { attributes: { name } }, ...options.map(([optionValue, text]) => element('option', { text, attributes: { value: optionValue } })));
  node.value = value;
  return node;
}

export function input(name: string, attributes: Record<string, string> = {}): HTMLInputElement {
  return element('input', { attributes: { name, ...attributes } });
}

/** A short message that screen readers announce. */
export function notice(text: string, kind: 'info' | 'error' = 'info'): HTMLParagraphElement {
  return element('p', { className: `notice ${kind}`, text, attributes: { role: kind === 'error' ? 'alert' : 'status' } });
}

export function definitionList(entries: readonly (readonly [string, Cell])[]): HTMLDListElement {
  return element('dl', {}, ...entries.flatMap(([term, value]) => [element('dt', { text: term }), element('dd', {}, typeof value === 'string' ? document.createTextNode(value) : value)]));
}
