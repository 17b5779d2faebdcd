/**
 * deploy/observability: the alert rules and the Grafana dashboard query only metrics the code
 * registers with prom-client (found in the sources of apps/ and libs/, so the check survives
 * files moving), with label names those registrations declare, and the rules cover what
 * operators are promised. promtool is not available here, so the rule file is parsed and checked
 * for the shape Prometheus loads (groups, rules, alert, expr, for, labels, annotations).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../..');
const DIR = join(ROOT, 'deploy/observability');

interface Registered {
  kind: 'counter' | 'gauge' | 'histogram' | 'default';
  labels: string[];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) return entry === 'node_modules' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

/** Metric name -> kind and label names, from every prom-client registration in the code. */
function registeredMetrics(): Map<string, Registered> {
  const found = new Map<string, Registered>();
  const call =
    /\.(counter|gauge|histogram)\(\s*'([\w:]+)',\s*'(?:[^'\\]|\\.)*',?\s*(?:\[([^\]]*)\])?/g;
  const direct =
    /new (Counter|Gauge|Histogram)\(\{\s*name:\s*'([\w:]+)'[^}]*?(?:labelNames:\s*\[([^\]]*)\])?/g;
  for (const file of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of [...text.matchAll(call), ...text.matchAll(direct)]) {
      const labels = [...(m[3] ?? '').matchAll(/'(\w+)'/g)].map((l) => l[1]);
      found.set(m[2], { kind: m[1].toLowerCase() as Registered['kind'], labels });
    }
  }
  // ServiceMetrics collects prom-client's default process and Node.js metrics in every service.
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const m of defaults.getMetricsAsArray()) {
    if (!found.has(m.name)) found.set(m.name, { kind: 'default', labels: [] });
  }
  return found;
}

/** The series selectors in a PromQL expression: metric names and the label names they match on. */
export function selectors(expr: string): { name: string; labels: string[] }[] {
  let text = expr
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const out: { name: string; labels: string[] }[] = [];
  text = text.replace(
    /([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g,
    (_m, name: string | undefined, body: string) => {
      out.push({
        name: name ?? '',
        labels: [...body.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]),
      });
      return ' ';
    },
  );
  for (const m of text.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    if (!['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'].includes(m[1].toLowerCase()))
      out.push({ name: m[1], labels: [] });
  }
  return out;
}

/** Problems with one expression: unknown metrics, or labels the metric does not carry. */
function check(expr: string, metrics: Map<string, Registered>): string[] {
  const problems: string[] = [];
  for (const { name, labels } of selectors(expr)) {
    if (name === 'up') {
      // Prometheus's own series; `service` comes from the scrape configuration.
      for (const l of labels)
        if (!['service', 'job', 'instance', 'namespace', 'pod'].includes(l))
          problems.push(`up{${l}}: not a label prometheus.yml sets`);
      continue;
    }
    const base = name.replace(/_(bucket|count|sum)$/, '');
    const metric =
      metrics.get(name) ??
      (metrics.get(base)?.kind === 'histogram' ? metrics.get(base) : undefined);
    if (!metric) {
      problems.push(`${name}: no such metric in apps/ or libs/`);
      continue;
    }
    const allowed = new Set([
      ...metric.labels,
      'service',
      'job',
      'instance',
      'namespace',
      'pod',
      ...(name.endsWith('_bucket') ? ['le'] : []),
    ]);
    for (const l of labels)
      if (metric.kind !== 'default' && !allowed.has(l))
        problems.push(`${name}{${l}}: the metric has no such label`);
  }
  return problems;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('deploy/observability', () => {
  const metrics = registeredMetrics();
  const rules = parse(readFileSync(join(DIR, 'alerts.yml'), 'utf8')) as {
    groups: { name: string; rules: Rule[] }[];
  };
  const alerts = rules.groups.flatMap((g) => g.rules);

  it('finds the metrics the code registers (the check can fail)', () => {
    expect(metrics.get('mash_outbox_pending')?.kind).toBe('gauge');
    expect(metrics.get('mash_answers_total')?.labels).toEqual(['agency', 'status']);
    expect(check('rate(mash_no_such_metric_total[5m])', metrics)).toHaveLength(1);
    expect(check('sum(mash_cases_open{agency="police"})', metrics)).toHaveLength(1);
    expect(
      check('sum by (le) (rate(mash_agency_answer_seconds_bucket{le="10"}[5m]))', metrics),
    ).toEqual([]);
  });

  it('has alert rules in the shape Prometheus loads, on metrics the code exports', () => {
    const names = new Set<string>();
    for (const group of rules.groups) {
      expect(group.name).toMatch(/^[\w-]+$/);
      for (const rule of group.rules) {
        expect(rule.alert).toMatch(/^Mash[A-Za-z]+$/);
        expect(names.has(rule.alert!)).toBe(false);
        names.add(rule.alert!);
        expect(
          Object.keys(rule).every((k) =>
            ['alert', 'expr', 'for', 'labels', 'annotations'].includes(k),
          ),
        ).toBe(true);
        if (rule.for) expect(rule.for).toMatch(/^\d+[smh]$/);
        expect(['warning', 'critical']).toContain(rule.labels?.severity);
        expect(rule.annotations?.summary).toBeTruthy();
        expect(rule.annotations?.description).toBeTruthy();
        // Balanced brackets: the commonest way a hand-edited rule stops loading.
        for (const [open, close] of ['()', '[]', '{}'])
          expect(rule.expr.split(open).length).toBe(rule.expr.split(close).length);
        expect({ alert: rule.alert, problems: check(rule.expr, metrics) }).toEqual({
          alert: rule.alert,
          problems: [],
        });
      }
    }
  });

  it('alerts on partial queries, late answers, outbox lag, the audit stream, deadline breaches and adapters down', () => {
    const names = alerts.map((a) => a.alert);
    for (const n of [
      'MashQueriesPartial',
      'MashAnswersLate',
      'MashOutboxLag',
      'MashAuditEventsDeadLettered',
      'MashCaseDeadlinesBreached',
      'MashAdapterDown',
      'MashAdapterMissing',
    ])
      expect(names).toContain(n);
  });

  it('has a Grafana dashboard whose every query uses metrics the code exports', () => {
    const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as {
      uid: string;
      templating: { list: { name: string; type: string }[] };
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    expect(dashboard.uid).toBe('mash-gateway');
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource' }),
    );
    const queries = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
    );
    expect(queries.length).toBeGreaterThan(10);
    for (const q of queries)
      expect({ ...q, problems: check(q.expr, metrics) }).toEqual({ ...q, problems: [] });
  });

  it('scrapes every app with the service label the rules select on', () => {
    const config = parse(readFileSync(join(DIR, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs?: { labels: { service: string } }[] }[];
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    const services = config.scrape_configs.flatMap((c) =>
      (c.static_configs ?? []).map((s) => s.labels.service),
    );
    expect(services.sort()).toEqual([
      'adapter-education',
      'adapter-health',
      'adapter-police',
      'adapter-social-care',
      'broker',
    ]);
  });
});
