/**
 * The Helm chart deploy/helm/mash, written as code: each Kubernetes object is a typed TypeScript
 * value, and `npm run helm:generate` writes them out as the chart's templates. Values reach the
 * templates through a deliberately small subset of Helm's template language, so that the test
 * (test/deploy/helm-chart.int-spec.ts) can render the chart exactly without a `helm` binary and
 * validate every object against the Kubernetes, Strimzi and CloudNativePG schemas:
 *
 *   {{ .Values.a.b }}                        a scalar (number, boolean or plain word)
 *   {{ .Values.a.b | quote }}                a string
 *   "text {{ .Values.a.b }} text"            a value inside a double-quoted string
 *   key: {{- toYaml .Values.a.b | nindent N }}   a block (resources, storage)
 *   {{- if .Values.a.b }} ... {{- end }}     around a whole file
 *
 * Topic names come from @mash/contracts, and the adapters' ACLs are the ones deploy/kafka/acls.sh
 * grants locally (the test checks both), so the chart cannot drift from the code.
 */
import { stringify } from 'yaml';
import { AGENCIES, type Agency, DEFAULT_TOPIC_NAMESPACE, topicsIn } from '@mash/contracts';

const Topics = topicsIn(DEFAULT_TOPIC_NAMESPACE);

// Placeholders for values; serialize() turns them into template expressions after YAML.stringify.
const scalar = (path: string) => `@@V:${path}@@`;
const quoted = (path: string) => `@@Q:${path}@@`;
const inline = (path: string) => `@@I:${path}@@`;
const block = (path: string) => `@@B:${path}@@`;

type Obj = Record<string, unknown>;
export interface Template {
  file: string;
  /** A value that must be truthy for the file to render (a Helm `if` around the whole file). */
  when?: string;
  objects: Obj[];
}

const PORTS: Record<Agency, number> = {
  police: 3101,
  health: 3102,
  education: 3103,
  'social-care': 3104,
};
const BROKER_PORT = 3000;
const KAFKA_PORT = 9093;
const NS = {
  broker: inline('namespaces.broker'),
  data: inline('namespaces.data'),
  agency: (a: Agency) => inline(`adapters.${key(a)}.namespace`),
};
const KAFKA_CLUSTER = 'mash-kafka';
const DB_CLUSTER = 'mash-db';
const KAFKA_BOOTSTRAP = `${KAFKA_CLUSTER}-kafka-bootstrap.${NS.data}.svc:${KAFKA_PORT}`;
const DB_HOST = `${DB_CLUSTER}-rw.${NS.data}.svc`;

/** Values keys cannot hold a dash in Helm's dotted paths. */
function key(agency: Agency): string {
  return agency.replace('-', '');
}
export const dbRole = (agency: Agency) => `adapter_${agency.replace('-', '_')}`;
export const dbName = (agency: Agency) => `mash_${agency.replace('-', '_')}`;
export const secretNames = {
  brokerDb: 'mash-broker-db',
  brokerKafka: 'mash-broker-kafka',
  adapterDb: (a: Agency) => `mash-adapter-${a}-db`,
  adapterKafka: (a: Agency) => `mash-adapter-${a}-kafka`,
  kafkaCa: 'mash-kafka-cluster-ca',
};

function labels(component: string): Obj {
  return {
    'app.kubernetes.io/name': 'mash',
    'app.kubernetes.io/instance': '{{ .Release.Name }}',
    'app.kubernetes.io/component': component,
  };
}
function selector(component: string): Obj {
  return { 'app.kubernetes.io/name': 'mash', 'app.kubernetes.io/component': component };
}
function meta(name: string, namespace: string, component: string, extra: Obj = {}): Obj {
  return { name, namespace, labels: labels(component), ...extra };
}
const nsSelector = (ns: string) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
});

/** Topics the broker and adapters use, with the partitions and replicas the values give. */
export function topics(): { name: string; partitions: string; compacted: boolean }[] {
  const all = [
    Topics.audit,
    Topics.auditCheckpoint,
    Topics.caseDeadlineApproaching,
    Topics.deadLetter(Topics.audit),
  ];
  for (const a of AGENCIES) {
    all.push(
      Topics.queryRequested(a),
      Topics.queryResponded(a),
      Topics.caseOutcome(a),
      Topics.caseOutcomeAcknowledged(a),
      Topics.caseAction(a),
      Topics.caseActionAcknowledged(a),
      Topics.agreementStatus(a),
      Topics.adapterHeartbeat(a),
      ...[
        Topics.queryRequested(a),
        Topics.queryResponded(a),
        Topics.caseOutcome(a),
        Topics.caseOutcomeAcknowledged(a),
        Topics.caseAction(a),
        Topics.caseActionAcknowledged(a),
        Topics.adapterHeartbeat(a),
      ].map(Topics.deadLetter),
    );
  }
  return all.map((name) => ({
    name,
    // Agency audit events: the broker gives each its place in the log, so order on the topic
    // does not matter; `auditPartitions` lets an operator size them apart from the query topics.
    partitions: name.startsWith(Topics.audit)
      ? scalar('kafka.topics.auditPartitions')
      : scalar('kafka.topics.partitions'),
    compacted: AGENCIES.some((a) => name === Topics.agreementStatus(a)),
  }));
}

/** What deploy/kafka/acls.sh grants each adapter user. */
export function adapterAcls(agency: Agency): Obj[] {
  const ns = DEFAULT_TOPIC_NAMESPACE;
  return [
    {
      resource: { type: 'topic', name: `${ns}.${agency}.`, patternType: 'prefix' },
      operations: ['Read', 'Describe'],
    },
    {
      resource: { type: 'group', name: `adapter-${agency}`, patternType: 'prefix' },
      operations: ['Read'],
    },
    ...[
      Topics.queryResponded(agency),
      Topics.deadLetter(Topics.queryRequested(agency)),
      Topics.deadLetter(Topics.caseOutcome(agency)),
      Topics.caseOutcomeAcknowledged(agency),
      Topics.deadLetter(Topics.caseAction(agency)),
      Topics.caseActionAcknowledged(agency),
      Topics.adapterHeartbeat(agency),
      Topics.audit,
    ].map((name) => ({
      resource: { type: 'topic', name, patternType: 'literal' },
      operations: ['Write', 'Describe'],
    })),
  ];
}

function podSecurity(): { pod: Obj; container: Obj } {
  return {
    pod: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    container: {
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
  };
}

function probes(port: number): Obj {
  const http = { httpGet: { path: '/health', port } };
  return {
    // /health answers 503 while the database or Kafka does not: take the pod out of the Service.
    readinessProbe: { ...http, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    startupProbe: { ...http, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
    // Restart only when /health stays unanswered or failing for minutes: a Kafka outage must not
    // restart every pod at once.
    livenessProbe: { ...http, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 10 },
  };
}

/** Env shared by every app: Kafka over TLS with SCRAM-SHA-512, Node trusting the cluster CA. */
function kafkaEnv(user: string, passwordSecret: string): Obj[] {
  return [
    { name: 'KAFKA_BROKERS', value: KAFKA_BOOTSTRAP },
    { name: 'KAFKA_SSL', value: 'true' },
    { name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/mash/kafka-ca/ca.crt' },
    { name: 'KAFKA_SASL_MECHANISM', value: 'scram-sha-512' },
    { name: 'KAFKA_SASL_USERNAME', value: user },
    {
      name: 'KAFKA_SASL_PASSWORD',
      valueFrom: { secretKeyRef: { name: passwordSecret, key: 'password' } },
    },
  ];
}
function dbEnv(secret: string, database: string, variable: string): Obj[] {
  return [
    { name: 'DB_USER', valueFrom: { secretKeyRef: { name: secret, key: 'username' } } },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
    // Kubernetes expands $(VAR) from the variables above; generated passwords must be URL-safe.
    {
      name: variable,
      value: `postgres://$(DB_USER):$(DB_PASSWORD)@${DB_HOST}:5432/${database}?${inline('database.urlParameters')}`,
    },
  ];
}

function workload(opts: {
  name: string;
  namespace: string;
  component: string;
  app: string;
  port: number;
  values: string;
  env: Obj[];
  /**
   * Several replicas share the state volume (keys created once for all, docs/keys.md): its access
   * mode comes from `<values>.stateAccessMode` (ReadWriteMany) and pods roll one at a time.
   * Otherwise the volume is the one pod's (ReadWriteOnce) and the old pod goes before the new.
   */
  sharedState?: boolean;
}): Obj[] {
  const sec = podSecurity();
  const stateClaim = `${opts.name}-state`;
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(opts.name, opts.namespace, opts.component),
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(stateClaim, opts.namespace, opts.component),
      spec: {
        accessModes: [
          opts.sharedState ? inline(`${opts.values}.stateAccessMode`) : 'ReadWriteOnce',
        ],
        resources: { requests: { storage: inline(`${opts.values}.stateStorage`) } },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(opts.name, opts.namespace, opts.component),
      spec: {
        replicas: scalar(`${opts.values}.replicas`),
        // A ReadWriteOnce volume must be let go by the old pod before the new one starts; a
        // shared one lets replicas roll one at a time, the PodDisruptionBudget below keeping the rest.
        strategy: opts.sharedState
          ? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }
          : { type: 'Recreate' },
        selector: { matchLabels: selector(opts.component) },
        template: {
          metadata: {
            labels: labels(opts.component),
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(opts.port),
              'prometheus.io/path': '/metrics',
            },
          },
          spec: {
            serviceAccountName: opts.name,
            automountServiceAccountToken: false,
            securityContext: sec.pod,
            containers: [
              {
                name: opts.component,
                image: `${inline('image.repository')}:${inline('image.tag')}`,
                imagePullPolicy: scalar('image.pullPolicy'),
                args: [opts.app],
                ports: [{ name: 'http', containerPort: opts.port }],
                env: opts.env,
                resources: block(`${opts.values}.resources`),
                securityContext: sec.container,
                ...probes(opts.port),
                volumeMounts: [
                  { name: 'state', mountPath: '/var/lib/mash' },
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'kafka-ca', mountPath: '/var/run/mash/kafka-ca', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'state', persistentVolumeClaim: { claimName: stateClaim } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
              {
                name: 'kafka-ca',
                secret: {
                  secretName: secretNames.kafkaCa,
                  items: [{ key: 'ca.crt', path: 'ca.crt' }],
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(opts.name, opts.namespace, opts.component),
      spec: {
        selector: selector(opts.component),
        ports: [{ name: 'http', port: opts.port, targetPort: 'http' }],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(opts.name, opts.namespace, opts.component),
      spec: {
        maxUnavailable: scalar(`${opts.values}.maxUnavailable`),
        selector: { matchLabels: selector(opts.component) },
      },
    },
  ];
}

const dns = {
  to: [{ namespaceSelector: {} }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};
const toKafka = {
  to: [
    {
      ...nsSelector(NS.data),
      podSelector: { matchLabels: { 'strimzi.io/cluster': KAFKA_CLUSTER } },
    },
  ],
  ports: [{ protocol: 'TCP', port: KAFKA_PORT }],
};
const toDb = {
  to: [{ ...nsSelector(NS.data), podSelector: { matchLabels: { 'cnpg.io/cluster': DB_CLUSTER } } }],
  ports: [{ protocol: 'TCP', port: 5432 }],
};
const fromMonitoring = (port: number) => ({
  from: [
    nsSelector(NS.broker),
    {
      namespaceSelector: {
        matchLabels: { 'kubernetes.io/metadata.name': inline('monitoring.namespace') },
      },
    },
  ],
  ports: [{ protocol: 'TCP', port }],
});

function networkPolicies(): Obj[] {
  const broker: Obj = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta('broker', NS.broker, 'broker'),
    spec: {
      podSelector: { matchLabels: selector('broker') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        // The API from the ingress controller; /metrics from monitoring; JWKS from the adapters.
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': inline('ingress.namespace') },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: BROKER_PORT }],
        },
        fromMonitoring(BROKER_PORT),
        {
          from: AGENCIES.map((a) => nsSelector(NS.agency(a))),
          ports: [{ protocol: 'TCP', port: BROKER_PORT }],
        },
      ],
      egress: [
        dns,
        toKafka,
        toDb,
        ...AGENCIES.map((a) => ({
          to: [
            { ...nsSelector(NS.agency(a)), podSelector: { matchLabels: selector(`adapter-${a}`) } },
          ],
          ports: [{ protocol: 'TCP', port: PORTS[a] }],
        })),
        // The identity provider's JWKS, wherever it is hosted.
        { ports: [{ protocol: 'TCP', port: 443 }] },
      ],
    },
  };
  const adapters = AGENCIES.map((a) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(`adapter-${a}`, NS.agency(a), `adapter-${a}`),
    spec: {
      podSelector: { matchLabels: selector(`adapter-${a}`) },
      policyTypes: ['Ingress', 'Egress'],
      // Only the broker, the ingress controller (which publishes the agency's JWKS over https to
      // the broker: route only /.well-known/jwks.json) and monitoring reach an adapter; never
      // another agency.
      ingress: [
        {
          from: [nsSelector(NS.broker), nsSelector(inline('ingress.namespace'))],
          ports: [{ protocol: 'TCP', port: PORTS[a] }],
        },
        fromMonitoring(PORTS[a]),
      ],
      egress: [
        dns,
        toKafka,
        toDb,
        {
          to: [{ ...nsSelector(NS.broker), podSelector: { matchLabels: selector('broker') } }],
          ports: [{ protocol: 'TCP', port: BROKER_PORT }],
        },
      ],
    },
  }));
  const database = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(DB_CLUSTER, NS.data, 'database'),
    spec: {
      podSelector: { matchLabels: { 'cnpg.io/cluster': DB_CLUSTER } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [nsSelector(NS.broker), ...AGENCIES.map((a) => nsSelector(NS.agency(a)))],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
        // Replication between instances, and the CloudNativePG operator's status and control port.
        { from: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': DB_CLUSTER } } }] },
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: {
                  'kubernetes.io/metadata.name': inline('database.operatorNamespace'),
                },
              },
            },
          ],
          ports: [
            { protocol: 'TCP', port: 8000 },
            { protocol: 'TCP', port: 5432 },
          ],
        },
      ],
    },
  };
  return [broker, ...adapters, database];
}

function kafka(): Obj[] {
  const cluster = { 'strimzi.io/cluster': KAFKA_CLUSTER };
  const pool = (name: string, role: string, values: string): Obj => ({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaNodePool',
    metadata: { ...meta(name, NS.data, 'kafka'), labels: { ...labels('kafka'), ...cluster } },
    spec: {
      replicas: scalar(`${values}.replicas`),
      roles: [role],
      storage: block(`${values}.storage`),
      resources: block(`${values}.resources`),
    },
  });
  const users: Obj[] = [
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaUser',
      metadata: { ...meta('broker', NS.data, 'kafka'), labels: { ...labels('kafka'), ...cluster } },
      // A super user (spec.kafka.authorization.superUsers), as in deploy/kafka/acls.sh: it creates
      // topics and reads and writes every agency's.
      spec: {
        authentication: {
          type: 'scram-sha-512',
          password: {
            valueFrom: { secretKeyRef: { name: secretNames.brokerKafka, key: 'password' } },
          },
        },
      },
    },
    ...AGENCIES.map((a) => ({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaUser',
      metadata: {
        ...meta(`adapter-${a}`, NS.data, 'kafka'),
        labels: { ...labels('kafka'), ...cluster },
      },
      spec: {
        authentication: {
          type: 'scram-sha-512',
          password: {
            valueFrom: { secretKeyRef: { name: secretNames.adapterKafka(a), key: 'password' } },
          },
        },
        authorization: { type: 'simple', acls: adapterAcls(a) },
      },
    })),
  ];
  return [
    pool('controllers', 'controller', 'kafka.controllers'),
    pool('brokers', 'broker', 'kafka.brokers'),
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: meta(KAFKA_CLUSTER, NS.data, 'kafka'),
      spec: {
        kafka: {
          version: inline('kafka.version'),
          listeners: [
            {
              name: 'scram',
              port: KAFKA_PORT,
              type: 'internal',
              tls: true,
              authentication: { type: 'scram-sha-512' },
              // Strimzi writes the NetworkPolicy for this listener: only the apps' namespaces.
              networkPolicyPeers: [
                nsSelector(NS.broker),
                ...AGENCIES.map((a) => nsSelector(NS.agency(a))),
              ],
            },
          ],
          authorization: { type: 'simple', superUsers: ['broker'] },
          config: {
            'default.replication.factor': scalar('kafka.topics.replicas'),
            'min.insync.replicas': scalar('kafka.minInsyncReplicas'),
            'offsets.topic.replication.factor': scalar('kafka.topics.replicas'),
            'transaction.state.log.replication.factor': scalar('kafka.topics.replicas'),
            'transaction.state.log.min.isr': scalar('kafka.minInsyncReplicas'),
            // Topics come from KafkaTopic resources below, with the partitions the values give.
            'auto.create.topics.enable': false,
          },
        },
        entityOperator: { topicOperator: {}, userOperator: {} },
      },
    },
    ...topics().map((t) => ({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: {
        ...meta(t.name.replace(/\./g, '-'), NS.data, 'kafka'),
        labels: { ...labels('kafka'), ...cluster },
      },
      spec: {
        topicName: t.name,
        partitions: t.partitions,
        replicas: scalar('kafka.topics.replicas'),
        config: t.compacted
          ? {
              'cleanup.policy': 'compact',
              'min.insync.replicas': scalar('kafka.minInsyncReplicas'),
            }
          : { 'min.insync.replicas': scalar('kafka.minInsyncReplicas') },
      },
    })),
    ...users,
  ];
}

function database(): Obj[] {
  return [
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: meta(DB_CLUSTER, NS.data, 'database'),
      spec: {
        // A primary and (with the default 2) one streaming replica that takes over on failure.
        instances: scalar('database.instances'),
        imageName: inline('database.imageName'),
        storage: { size: inline('database.storage') },
        resources: block('database.resources'),
        enableSuperuserAccess: false,
        primaryUpdateStrategy: 'unsupervised',
        bootstrap: {
          initdb: {
            database: 'mash_broker',
            owner: 'mash_broker',
            secret: { name: secretNames.brokerDb },
          },
        },
        // One login role per agency; it owns its agency's database and nothing else.
        managed: {
          roles: AGENCIES.map((a) => ({
            name: dbRole(a),
            ensure: 'present',
            login: true,
            superuser: false,
            createdb: false,
            createrole: false,
            passwordSecret: { name: secretNames.adapterDb(a) },
          })),
        },
      },
    },
    ...AGENCIES.map((a) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: meta(`${DB_CLUSTER}-${a}`, NS.data, 'database'),
      spec: { cluster: { name: DB_CLUSTER }, name: dbName(a), owner: dbRole(a), ensure: 'present' },
    })),
  ];
}

function apps(): Obj[] {
  const broker = workload({
    name: 'broker',
    namespace: NS.broker,
    component: 'broker',
    app: 'broker',
    port: BROKER_PORT,
    values: 'broker',
    sharedState: true,
    env: [
      { name: 'PORT', value: String(BROKER_PORT) },
      { name: 'AUTH_MODE', value: 'production' },
      { name: 'AUTH_ISSUER', value: quoted('auth.issuer') },
      { name: 'AUTH_AUDIENCE', value: quoted('auth.audience') },
      { name: 'AUTH_JWKS_URL', value: quoted('auth.jwksUrl') },
      ...dbEnv(secretNames.brokerDb, 'mash_broker', 'DATABASE_URL'),
      ...kafkaEnv('broker', secretNames.brokerKafka),
      ...AGENCIES.map((a) => ({
        name: `${a.toUpperCase().replace('-', '_')}_JWKS_URL`,
        // In production the broker accepts an agency's keys only over https (or loopback): the
        // adapter's /.well-known/jwks.json published through the ingress or a mesh.
        value: quoted(`adapters.${key(a)}.jwksUrl`),
      })),
    ],
  });
  const adapters = AGENCIES.flatMap((a) =>
    workload({
      name: `adapter-${a}`,
      namespace: NS.agency(a),
      component: `adapter-${a}`,
      app: `adapter-${a}`,
      port: PORTS[a],
      values: `adapters.${key(a)}`,
      // Replicas of one agency share its state volume, so they make and publish one key ring.
      sharedState: true,
      env: [
        { name: 'ADAPTER_PORT', value: String(PORTS[a]) },
        { name: 'BROKER_JWKS_URL', value: quoted('brokerJwksUrl') },
        { name: 'ALLOW_INSECURE_JWKS', value: quoted('allowInsecureJwks') },
        ...dbEnv(secretNames.adapterDb(a), dbName(a), 'SOURCE_DATABASE_URL'),
        ...kafkaEnv(`adapter-${a}`, secretNames.adapterKafka(a)),
      ],
    }),
  );
  return [...broker, ...adapters];
}

function namespaces(): Obj[] {
  return [NS.broker, NS.data, ...AGENCIES.map(NS.agency)].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'app.kubernetes.io/name': 'mash',
        'pod-security.kubernetes.io/enforce': 'restricted',
      },
    },
  }));
}

export function templates(): Template[] {
  return [
    { file: 'namespaces.yaml', when: 'namespaces.create', objects: namespaces() },
    { file: 'kafka.yaml', objects: kafka() },
    { file: 'database.yaml', objects: database() },
    { file: 'apps.yaml', objects: apps() },
    { file: 'network-policies.yaml', objects: networkPolicies() },
  ];
}

/** YAML with the placeholders turned into the template expressions listed at the top. */
export function serialize(template: Template): string {
  const body = template.objects
    .map((o) => stringify(o, { lineWidth: 0 }))
    .join('---\n')
    .split('\n')
    .map((line) => {
      let out = line.replace(
        /^(\s*(?:- )?)([\w./-]+): ['"]?@@B:([\w.]+)@@['"]?$/,
        (_m, indent: string, k: string, path: string) => {
          const n = indent.length + 2;
          return `${indent}${k}: {{- toYaml .Values.${path} | nindent ${n} }}`;
        },
      );
      out = out
        .replace(/['"]?@@V:([\w.]+)@@['"]?/g, '{{ .Values.$1 }}')
        .replace(/['"]?@@Q:([\w.]+)@@['"]?/g, '{{ .Values.$1 | quote }}');
      if (out.includes('@@I:')) {
        out = out.replace(
          /^(\s*(?:- )?(?:[\w./-]+: )?)(['"]?)(.*)\2$/,
          (_m, head: string, _q: string, text: string) => {
            return `${head}"${text.replace(/@@I:([\w.]+)@@/g, '{{ .Values.$1 }}')}"`;
          },
        );
      }
      return out;
    })
    .join('\n');
  const header =
    '# Generated by `npm run helm:generate` from deploy/helm/chart.ts: edit that, not this.\n';
  return template.when
    ? `${header}{{- if .Values.${template.when} }}\n${body}{{- end }}\n`
    : `${header}${body}`;
}
