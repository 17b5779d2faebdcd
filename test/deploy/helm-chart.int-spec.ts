/**
 * The Helm chart deploy/helm/mash: its committed templates are what deploy/helm/chart.ts
 * generates; rendered with its values (no `helm` binary here: the templates use only the small
 * subset of Helm's language that render() below implements, and render() refuses anything else),
 * every object validates against the Kubernetes schemas (kubernetes-models: types, enums and
 * required fields; its compiled validators let unknown fields through) or the Strimzi and
 * CloudNativePG CRD schemas vendored in deploy/helm/crd-schemas, where unknown fields are refused
 * as `kubectl apply --validate=strict` would; and the separation the chart exists for holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { AGENCIES, type Agency, DEFAULT_TOPIC_NAMESPACE, TOPIC_NAMESPACE } from '@mash/contracts';
import { adapterTopics, loadAdapterConfig } from '@mash/adapter-sdk';
import { brokerTopics } from '../../apps/broker/src/app';
import { loadBrokerConfig } from '../../apps/broker/src/config/config';
import { serialize, templates } from '../../deploy/helm/chart';

const CHART = resolve(__dirname, '../../deploy/helm/mash');
const SCHEMAS = resolve(__dirname, '../../deploy/helm/crd-schemas');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function lookup(values: Obj, path: string): unknown {
  const found = path.split('.').reduce<unknown>((v, k) => (v as Obj | undefined)?.[k], values);
  if (found === undefined)
    throw new Error(`the chart uses .Values.${path}, which values.yaml lacks`);
  return found;
}

/** Renders the subset of Helm templates that chart.ts emits; throws on any other expression. */
function render(template: string, values: Obj, release = { Name: 'mash' }): string {
  let text = template;
  const cond = /^((?:#.*\n)*)\{\{- if \.Values\.([\w.]+) \}\}\n([\s\S]*)\{\{- end \}\}\n$/.exec(
    text,
  );
  if (cond) text = lookup(values, cond[2]) ? cond[1] + cond[3] : cond[1];
  text = text.replace(
    /\s*\{\{- toYaml \.Values\.([\w.]+) \| nindent (\d+) \}\}/g,
    (_m, path: string, n: string) => {
      const pad = ' '.repeat(Number(n));
      return `\n${stringify(lookup(values, path))
        .trimEnd()
        .split('\n')
        .map((l) => pad + l)
        .join('\n')}`;
    },
  );
  text = text.replace(/\{\{ \.Values\.([\w.]+) \| quote \}\}/g, (_m, path: string) =>
    JSON.stringify(String(lookup(values, path))),
  );
  text = text.replace(/\{\{ \.Values\.([\w.]+) \}\}/g, (_m, path: string) =>
    String(lookup(values, path)),
  );
  text = text.replace(/\{\{ \.Release\.Name \}\}/g, release.Name);
  const left = /\{\{.*?\}\}/.exec(text);
  if (left)
    throw new Error(
      `render() does not implement ${left[0]}: keep chart.ts to the documented subset`,
    );
  return text;
}

function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? deepMerge(a[k] ?? {}, v as Obj) : v;
  return out;
}

function renderChart(overrides: Obj = {}): Obj[] {
  const values = deepMerge(
    parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Obj,
    overrides,
  );
  return readdirSync(join(CHART, 'templates'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(render(readFileSync(join(CHART, 'templates', f), 'utf8'), values)).map(
        (doc) => {
          if (doc.errors.length > 0) throw new Error(`${f}: ${doc.errors[0].message}`);
          return doc.toJS() as Obj;
        },
      ),
    )
    .filter((o) => o !== null);
}

/** As the API server's strict field validation does: a field the schema does not name is an error. */
function strict(schema: Obj): Obj {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Obj = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === 'enum' || k === 'required' ? v : strict(v as Obj),
    ]),
  );
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  )
    out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map<string, ValidateFunction>(
  readdirSync(SCHEMAS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const crd = JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8')) as {
        apiVersion: string;
        kind: string;
        schema: Obj;
      };
      const schema = strict(crd.schema);
      // ObjectMeta is validated by the API server, not the CRD: accept it as Kubernetes does.
      schema.properties.metadata = { type: 'object' };
      return [`${crd.apiVersion}/${crd.kind}`, ajv.compile(schema)];
    }),
);

function validate(object: Obj): string[] {
  const id = `${object.apiVersion}/${object.kind}`;
  const name = object.metadata?.name as string;
  const crd = crdValidators.get(id);
  if (crd)
    return crd(object)
      ? []
      : (crd.errors ?? []).map((e) => `${id} ${name}: ${e.instancePath} ${e.message}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = (require(`kubernetes-models/${object.apiVersion}`) as Obj)[object.kind] as
    (new (o: Obj) => { validate(): void }) | undefined;
  if (!Model) return [`${id}: no schema known for this kind`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${id} ${object.metadata?.name}: ${(error as Error).message}`];
  }
}

const TEST_VALUES = {
  auth: {
    issuer: 'https://idp.example.org/realms/mash',
    audience: 'mash-broker',
    jwksUrl: 'https://idp.example.org/realms/mash/certs',
  },
};
const find = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);
const secretRefs = (o: Obj) =>
  [...JSON.stringify(o).matchAll(/"(?:secretName|name)":"(mash-[a-z-]+(?:-db|-kafka|-ca))"/g)].map(
    (m) => m[1],
  );

describe('Helm chart deploy/helm/mash', () => {
  const objects = renderChart(TEST_VALUES);

  it('has the templates deploy/helm/chart.ts generates (run npm run helm:generate)', () => {
    for (const t of templates())
      expect({
        file: t.file,
        text: readFileSync(join(CHART, 'templates', t.file), 'utf8'),
      }).toEqual({ file: t.file, text: serialize(t) });
  });

  it('renders only objects that validate, Strimzi and CloudNativePG resources among them', () => {
    expect(objects.flatMap(validate)).toEqual([]);
    const kinds = new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`));
    for (const k of [
      'kafka.strimzi.io/v1/Kafka',
      'kafka.strimzi.io/v1/KafkaNodePool',
      'kafka.strimzi.io/v1/KafkaTopic',
      'kafka.strimzi.io/v1/KafkaUser',
      'postgresql.cnpg.io/v1/Cluster',
      'postgresql.cnpg.io/v1/Database',
      'apps/v1/Deployment',
      'networking.k8s.io/v1/NetworkPolicy',
      'policy/v1/PodDisruptionBudget',
    ])
      expect(kinds).toContain(k);
  });

  it('refuses what the schemas refuse (the validation can fail)', () => {
    const [topic] = find(objects, 'KafkaTopic');
    expect(validate({ ...topic, spec: { ...topic.spec, partitions: 'six' } })).not.toEqual([]);
    expect(validate({ ...topic, spec: { ...topic.spec, partitons: 6 } })).not.toEqual([]);
    const [deployment] = find(objects, 'Deployment');
    expect(validate({ ...deployment, spec: { ...deployment.spec, replicas: '1' } })).not.toEqual(
      [],
    );
  });

  it('creates every topic the broker and adapters use, with partitions and replicas from the values', () => {
    const rendered = renderChart({
      ...TEST_VALUES,
      kafka: { topics: { partitions: 12, replicas: 5, auditPartitions: 1 }, minInsyncReplicas: 3 },
    });
    const topics = find(rendered, 'KafkaTopic');
    const fromCode = new Set(
      [...brokerTopics(), ...AGENCIES.flatMap((a) => adapterTopics(a))].map((t) =>
        t.replace(`${TOPIC_NAMESPACE}.`, `${DEFAULT_TOPIC_NAMESPACE}.`),
      ),
    );
    expect(new Set(topics.map((t) => t.spec.topicName))).toEqual(fromCode);
    const query = topics.find((t) => t.spec.topicName === 'mash.police.query.requested.v1')!;
    expect(query.spec).toMatchObject({
      partitions: 12,
      replicas: 5,
      config: { 'min.insync.replicas': 3 },
    });
    expect(topics.find((t) => t.spec.topicName === 'mash.audit.v1')!.spec.partitions).toBe(1);
    const kafka = find(rendered, 'Kafka')[0];
    expect(kafka.spec.kafka.config).toMatchObject({
      'default.replication.factor': 5,
      'min.insync.replicas': 3,
      'auto.create.topics.enable': false,
    });
  });

  it('gives each adapter user the ACLs deploy/kafka/acls.sh documents, over SCRAM', () => {
    const script = readFileSync(resolve(__dirname, '../../deploy/kafka/acls.sh'), 'utf8');
    const writeBlock = /--operation Write([\s\S]*?)--resource-pattern-type literal/.exec(
      script,
    )![1];
    const writes = (a: Agency) =>
      [...writeBlock.matchAll(/--topic "([^"]+)"/g)].map((m) => m[1].replace('$agency', a)).sort();
    for (const a of AGENCIES) {
      const user = find(objects, 'KafkaUser').find((u) => u.metadata.name === `adapter-${a}`)!;
      expect(user.spec.authentication.type).toBe('scram-sha-512');
      const acls = user.spec.authorization.acls as Obj[];
      expect(
        acls
          .filter((x) => x.operations.includes('Write'))
          .map((x) => x.resource.name)
          .sort(),
      ).toEqual(writes(a));
      expect(
        acls
          .filter((x) => x.operations.includes('Read'))
          .map((x) => [x.resource.type, x.resource.name, x.resource.patternType]),
      ).toEqual([
        ['topic', `mash.${a}.`, 'prefix'],
        ['group', `adapter-${a}`, 'prefix'],
      ]);
    }
    expect(find(objects, 'Kafka')[0].spec.kafka.authorization.superUsers).toEqual(['broker']);
  });

  it('runs each adapter in its own namespace with only its own database and Kafka credentials', () => {
    const deployments = find(objects, 'Deployment');
    const broker = deployments.find((d) => d.metadata.name === 'broker')!;
    expect(new Set(secretRefs(broker))).toEqual(
      new Set(['mash-broker-db', 'mash-broker-kafka', 'mash-kafka-cluster-ca']),
    );
    const namespaces = new Set([broker.metadata.namespace]);
    for (const a of AGENCIES) {
      const d = deployments.find((x) => x.metadata.name === `adapter-${a}`)!;
      namespaces.add(d.metadata.namespace);
      expect(new Set(secretRefs(d))).toEqual(
        new Set([`mash-adapter-${a}-db`, `mash-adapter-${a}-kafka`, 'mash-kafka-cluster-ca']),
      );
      const env = Object.fromEntries(
        (d.spec.template.spec.containers[0].env as Obj[]).map((e) => [e.name, e.value]),
      );
      expect(env.KAFKA_SASL_USERNAME).toBe(`adapter-${a}`);
      expect(env.SOURCE_DATABASE_URL).toContain(`/mash_${a.replace('-', '_')}?`);
      expect(env.DATABASE_URL).toBeUndefined();
    }
    expect(namespaces.size).toBe(1 + AGENCIES.length);
    const roles = find(objects, 'Cluster')[0].spec.managed.roles as Obj[];
    expect(roles.every((r) => r.superuser === false && r.createrole === false)).toBe(true);
    expect(find(objects, 'Cluster')[0].spec).toMatchObject({
      instances: 2,
      enableSuperuserAccess: false,
    });
  });

  it('runs two broker replicas by default, rolling one at a time on one shared state volume, one kept up by the budget', () => {
    const byName = (kind: string, name: string) =>
      find(objects, kind).find((o) => o.metadata.name === name)!;
    const broker = byName('Deployment', 'broker');
    expect(broker.spec.replicas).toBe(2);
    expect(broker.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    // Keys (created once for every instance) and checkpoints on one volume all replicas mount.
    expect(byName('PersistentVolumeClaim', 'broker-state').spec.accessModes).toEqual([
      'ReadWriteMany',
    ]);
    expect(byName('PodDisruptionBudget', 'broker').spec.maxUnavailable).toBe(1);
    // An adapter's state (its keys) stays its agency's: its own volume, in its own namespace.
    for (const a of AGENCIES) {
      const claim = byName('PersistentVolumeClaim', `adapter-${a}-state`);
      expect(claim.metadata.namespace).toBe(
        byName('Deployment', `adapter-${a}`).metadata.namespace,
      );
      expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    }
    const single = renderChart({
      ...TEST_VALUES,
      broker: { replicas: 1, stateAccessMode: 'ReadWriteOnce' },
    });
    expect(
      find(single, 'PersistentVolumeClaim').find((o) => o.metadata.name === 'broker-state')!.spec
        .accessModes,
    ).toEqual(['ReadWriteOnce']);
  });

  it("scales an agency's adapter on one shared state volume, so its replicas publish one key ring", () => {
    const scaled = renderChart({
      ...TEST_VALUES,
      adapters: { police: { replicas: 3, stateAccessMode: 'ReadWriteMany' } },
    });
    const byName = (kind: string, name: string) =>
      find(scaled, kind).find((o) => o.metadata.name === name)!;
    const police = byName('Deployment', 'adapter-police');
    expect(police.spec.replicas).toBe(3);
    expect(police.spec.strategy.type).toBe('RollingUpdate');
    // Every replica mounts the one claim, where the first makes the keys and the rest read them.
    expect(police.spec.template.spec.volumes).toContainEqual({
      name: 'state',
      persistentVolumeClaim: { claimName: 'adapter-police-state' },
    });
    expect(byName('PersistentVolumeClaim', 'adapter-police-state').spec.accessModes).toEqual([
      'ReadWriteMany',
    ]);
    expect(byName('Deployment', 'adapter-health').spec.replicas).toBe(1);
  });

  it('runs every app non-root on a read-only root file system, probed on /health, under a PodDisruptionBudget and a NetworkPolicy', () => {
    for (const d of find(objects, 'Deployment')) {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      expect({
        name: d.metadata.name,
        nonRoot: pod.securityContext.runAsNonRoot,
        ro: c.securityContext.readOnlyRootFilesystem,
      }).toEqual({ name: d.metadata.name, nonRoot: true, ro: true });
      for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe'])
        expect(c[p].httpGet.path).toBe('/health');
      const selects = (o: Obj, sel: Obj) =>
        o.metadata.namespace === d.metadata.namespace &&
        JSON.stringify(sel) === JSON.stringify(d.spec.selector.matchLabels);
      expect(
        find(objects, 'PodDisruptionBudget').filter((p) => selects(p, p.spec.selector.matchLabels)),
      ).toHaveLength(1);
      expect(
        find(objects, 'NetworkPolicy').filter((n) => selects(n, n.spec.podSelector.matchLabels)),
      ).toHaveLength(1);
    }
  });

  it('gives each app an environment its own configuration check accepts', () => {
    // As the kubelet would: secrets resolved (to URL-safe stand-ins), then $(VAR) expanded.
    const envOf = (d: Obj) => {
      const env: Record<string, string> = {};
      for (const e of d.spec.template.spec.containers[0].env as Obj[]) {
        env[e.name] = e.valueFrom
          ? 'from-a-secret'
          : String(e.value).replace(/\$\((\w+)\)/g, (_m, n: string) => env[n]);
      }
      return env;
    };
    const deployments = find(objects, 'Deployment');
    const broker = envOf(deployments.find((d) => d.metadata.name === 'broker')!);
    expect(loadBrokerConfig(broker)).toMatchObject({
      auth: { mode: 'production' },
      kafka: { KAFKA_SASL_USERNAME: 'broker' },
    });
    for (const a of AGENCIES) {
      const env = envOf(deployments.find((d) => d.metadata.name === `adapter-${a}`)!);
      expect(loadAdapterConfig(a, env)).toMatchObject({ service: `adapter-${a}` });
    }
    // With the defaults' plain-http JWKS and the allowance withdrawn, an adapter would refuse to start.
    const strictChart = renderChart({ ...TEST_VALUES, allowInsecureJwks: false });
    const police = envOf(
      find(strictChart, 'Deployment').find((d) => d.metadata.name === 'adapter-police')!,
    );
    expect(() => loadAdapterConfig('police', police)).toThrow(/BROKER_JWKS_URL must be https/);
  });

  it('lets no adapter reach another agency', () => {
    for (const a of AGENCIES) {
      const policy = find(objects, 'NetworkPolicy').find(
        (n) => n.metadata.name === `adapter-${a}`,
      )!;
      const others = AGENCIES.filter((o) => o !== a).map((o) => `mash-${o}`);
      const text = JSON.stringify(policy);
      for (const ns of others) expect(text).not.toContain(`"${ns}"`);
    }
  });
});
