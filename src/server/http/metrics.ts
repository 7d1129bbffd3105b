/** Prometheus metrics (GET /metrics): requests, forward-auth decisions by outcome, appraisals, latency. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'posture_http_requests_total',
    help: 'HTTP requests by route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'posture_http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'posture_authz_decisions_total',
    help: 'Forward-auth decisions by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
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
