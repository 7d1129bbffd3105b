/** Inline SVG icons (no image files, no fonts). Always decorative: the text next to them says the same. */

export type IconName = 'check' | 'blocked' | 'alert' | 'question' | 'offline' | 'clock' | 'info';

const SVG_NS = 'http://www.w3.org/2000/svg';

type Shape = readonly ['circle', number, number, number] | readonly ['path', string];

const CIRCLE: Shape = ['circle', 12, 12, 9.25];

const SHAPES: Readonly<Record<IconName, readonly Shape[]>> = {
  check: [CIRCLE, ['path', 'M7.75 12.25l2.75 2.75 5.75-6']],
  blocked: [CIRCLE, ['path', 'M9 9l6 6M15 9l-6 6']],
  alert: [['path', 'M10.3 4.2 2.9 17.1A2 2 0 0 0 4.6 20h14.8a2 2 0 0 0 1.7-2.9L13.7 4.2a2 2 0 0 0-3.4 0z'], ['path', 'M12 9.5v4.25M12 17h.01']],
  question: [CIRCLE, ['path', 'M9.6 9.4a2.5 2.5 0 0 1 4.85.85c0 1.65-2.45 2.1-2.45 3.5M12 17h.01']],
  offline: [
    ['path', 'M7 18.5h9.5a4 4 0 0 0 1.6-7.65 6 6 0 0 0-9.9-3.1'],
    ['path', 'M5.4 9.6A4.5 4.5 0 0 0 7 18.5'],
    ['path', 'M3.5 3.5l17 17'],
  ],
  clock: [CIRCLE, ['path', 'M12 7.25V12l3 2']],
  info: [CIRCLE, ['path', 'M12 11v5.25M12 7.75h.01']],
};

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const shape of SHAPES[name]) {
    if (shape[0] === 'circle') {
      const circle = document.createElementNS(SVG_NS, 'circle');
      circle.setAttribute('cx', String(shape[1]));
      circle.setAttribute('cy', String(shape[2]));
      circle.setAttribute('r', String(shape[3]));
      svg.append(circle);
    } else {
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', shape[1]);
      svg.append(path);
    }
  }
  return svg;
}
