/**
 * Counters and a latency histogram for the per-request path, kept in plain numbers and handed to
 * prom-client only when /metrics is scraped. prom-client validates and hashes the labels of every
 * observation, which costs forward-auth a few per cent of its throughput.
 */
import type { Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;

interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

interface ScrapedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

/** What prom-client's Registry asks of a metric it formats. */
interface RegisteredMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  get(): Promise<ScrapedMetric>;
  reset(): void;
}

export class HotCounter {
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  constructor(registry: Registry, readonly name: string, readonly help: string) {
    registerMetric(registry, {
      name, help, type: 'counter',
      get: () => Promise.resolve({ name, help, type: 'counter', aggregator: 'sum', values: [...this.#series.values()].map(({ labels, value }) => ({ labels, value })) }),
      reset: () => this.#series.clear(),
    });
  }

  /** `key` names the label set; `labels` builds it the first time the key is seen. */
  inc(key: string, labels: () => Labels): void {
    const series = this.#series.get(key);
    if (series) series.value += 1;
    else this.#series.set(key, { labels: labels(), value: 1 });
  }

  value(key: string): number {
    return this.#series.get(key)?.value ?? 0;
  }
}

export class HotHistogram {
  readonly #series = new Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>();

  constructor(registry: Registry, readonly name: string, readonly help: string, private readonly bounds: readonly number[]) {
    registerMetric(registry, { name, help, type: 'histogram', get: () => Promise.resolve(this.#scrape()), reset: () => this.#series.clear() });
  }

  observe(key: string, labels: () => Labels, value: number): void {
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: labels(), buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    series.sum += value;
    series.count += 1;
    const index = this.bounds.findIndex((bound) => value <= bound);
    if (index >= 0) series.buckets[index]! += 1;
  }

  #scrape(): ScrapedMetric {
    const values: MetricValue[] = [];
    for (const { labels, buckets, sum, count } of this.#series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += buckets[index]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: String(bound), ...labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}

function registerMetric(registry: Registry, metric: RegisteredMetric): void {
  // prom-client's Registry formats any object of this shape; its type asks for a full Metric.
  (registry as unknown as { registerMetric(metric: RegisteredMetric): void }).registerMetric(metric);
}
