/**
 * Charts with Chart.js, tree-shaken: only the controllers, elements and scales used here are
 * registered. Colours come from the stylesheet's custom properties, so charts follow the light or
 * dark theme; every chart has an aria-label, and each page puts the same numbers in a table.
 */
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type ChartType,
} from 'chart.js';
import { element } from './ui.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const live = new Set<Chart>();

/** A colour from the stylesheet (e.g. --state-compliant). */
export function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function themeDefaults(): void {
  Chart.defaults.color = themeColor('--text');
  Chart.defaults.borderColor = themeColor('--border');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

/** A canvas in a sized box, drawn once the box is in the page. */
export function chart<T extends ChartType>(label: string, configuration: ChartConfiguration<T>): HTMLElement {
  const canvas = element('canvas', { attributes: { role: 'img', 'aria-label': label } });
  const box = element('div', { className: 'chart' }, canvas);
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    themeDefaults();
    live.add(new Chart(canvas, configuration as ChartConfiguration));
  });
  return box;
}

/** Before a page is replaced: charts hold observers and timers. */
export function destroyCharts(): void {
  for (const instance of live) instance.destroy();
  live.clear();
}
