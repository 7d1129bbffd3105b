/** Prometheus metrics (GET /metrics): requests, forward-auth decisions by outcome, appraisals, latency. */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { HotCounter, HotHistogram } from './hot-metrics.js';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new HotCounter(this.registry, 'posture_http_requests_total', 'HTTP requests by route and status code.');
  readonly latency = new HotHistogram(this.registry, 'posture_http_request_duration_seconds', 'HTTP request latency by route.', [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  ]);
  readonly decisions = new HotCounter(this.registry, 'posture_authz_decisions_total', 'Forward-auth decisions by outcome.');
  readonly connections = new HotCounter(this.registry, 'posture_http_connections_total', 'TCP connections accepted (a gateway that reuses its connections opens few).');
  readonly appraisals = new Counter({
    name: 'posture_appraisals_total',
    help: 'Evidence appraisals by compliance status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: 'posture_evidence_refusals_total',
    help: 'Refused Evidence, enrolments and challenges by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** One request answered: the route is the matched pattern (bounded), never the raw path. */
  countRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc(`${method} ${route} ${status}`, () => ({ method, route, status: String(status) }));
    this.latency.observe(route, () => ({ route }), seconds);
  }

  countConnection(): void {
    this.connections.inc('', () => ({}));
  }

  countDecision(outcome: string): void {
    this.decisions.inc(outcome, () => ({ outcome }));
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'posture_service_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
