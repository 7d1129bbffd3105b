import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from '../../../src/server/http/hot-metrics.js';

const BOUNDS = [0.001, 0.01, 0.1];

describe('hot metrics', () => {
  it('counts per label set and scrapes in the Prometheus text format', async () => {
    const registry = new Registry();
    const counter = new HotCounter(registry, 'demo_total', 'Demo.');
    counter.inc('allow', () => ({ outcome: 'allow' }));
    counter.inc('allow', () => ({ outcome: 'allow' }));
    counter.inc('deny', () => ({ outcome: 'deny' }));
    const text = await registry.metrics();
    expect(text).toContain('# TYPE demo_total counter');
    expect(text).toContain('demo_total{outcome="allow"} 2');
    expect(text).toContain('demo_total{outcome="deny"} 1');
    expect(counter.value('allow')).toBe(2);
  });

  it('scrapes the same histogram lines as prom-client for the same observations', async () => {
    const observations = [0.0004, 0.002, 0.002, 0.05, 3];
    const hotRegistry = new Registry();
    const hot = new HotHistogram(hotRegistry, 'latency_seconds', 'Latency.', BOUNDS);
    const referenceRegistry = new Registry();
    const reference = new Histogram({ name: 'latency_seconds', help: 'Latency.', labelNames: ['route'], buckets: BOUNDS, registers: [referenceRegistry] });
    for (const value of observations) {
      hot.observe('/v1/authz', () => ({ route: '/v1/authz' }), value);
      reference.observe({ route: '/v1/authz' }, value);
    }
    expect(await hotRegistry.metrics()).toBe(await referenceRegistry.metrics());
  });

  it('forgets every series on reset, as a registry reset asks', () => {
    const registry = new Registry();
    const counter = new HotCounter(registry, 'demo_total', 'Demo.');
    counter.inc('a', () => ({ outcome: 'a' }));
    registry.resetMetrics();
    expect(counter.value('a')).toBe(0);
  });
});
