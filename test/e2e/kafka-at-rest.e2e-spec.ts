/**
 * Kafka keeps what passes through it on disk. After a real end-to-end run, read every log
 * segment of every `mash.*` topic straight from the broker's data directory and look for the
 * subjects' personal data, in plain text and inside any signed-but-not-encrypted JWS payload.
 * Unflushed segments are read anyway: the page cache serves what Kafka has written.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigResourceTypes } from 'kafkajs';
import request from 'supertest';
import { TOPIC_NAMESPACE, Topics, type Agency } from '@mash/contracts';
import {
  Federation,
  ROOT,
  dropDatabases,
  eventually,
  seedSources,
  status,
  type DemoSubject,
} from '../support/federation';
import { kafka } from '../support/kafka';

const ALL = ['police', 'health', 'education', 'social-care'] as const;
// Where the Kafka under test keeps its logs: KAFKA_DATA_DIR, else what the broker itself reports.
let DATA_DIR = resolve(process.env.KAFKA_DATA_DIR ?? join(ROOT, '.local/kafka/data'));

async function brokerLogDir(): Promise<string | undefined> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.BROKER,
          name: String(brokers[0].nodeId),
          configNames: ['log.dirs'],
        },
      ],
    });
    return described.resources[0]?.configEntries
      .find((e) => e.configName === 'log.dirs')
      ?.configValue?.split(',')[0];
  } finally {
    await admin.disconnect();
  }
}

/** Subjects nobody's source knows: their data reaches Kafka only if the broker leaks criteria. */
const INVENTED: DemoSubject['subject'][] = [
  {
    givenName: 'Zephyrine',
    familyName: 'Quillfeather',
    dateOfBirth: '2013-07-19',
    postcode: 'NN7 3QX',
    identifiers: { nhsNumber: '9434765919', upn: 'A820155123456' },
  },
  {
    givenName: 'Octavius',
    familyName: 'Brambleworth',
    dateOfBirth: '2017-11-02',
    identifiers: { nhsNumber: '9876543210' },
  },
];

interface Segment {
  topic: string;
  file: string;
  text: string;
}

/** Every `*.log` segment of this namespace's topics (`mash-test.*` in tests), as byte-preserving text. */
function readSegments(): Segment[] {
  const segments: Segment[] = [];
  for (const dir of readdirSync(DATA_DIR)) {
    if (!dir.startsWith(`${TOPIC_NAMESPACE}.`)) continue;
    const topic = dir.replace(/-\d+$/, '');
    for (const name of readdirSync(join(DATA_DIR, dir))) {
      if (!name.endsWith('.log')) continue;
      const file = join(DATA_DIR, dir, name);
      segments.push({ topic, file, text: readFileSync(file).toString('latin1') });
    }
  }
  return segments;
}

/** Payloads of compact JWS found in the text: signed is not secret, so they must be clean too. */
function jwsPayloads(text: string): string {
  const out: string[] = [];
  for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]{8,}\.([A-Za-z0-9_-]{8,})\.[A-Za-z0-9_-]*/g)) {
    out.push(Buffer.from(m[1], 'base64url').toString('latin1'));
  }
  return out.join('\n');
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What would show if the subject leaked. Names only as whole words (base64url runs are long and
 * random, so a short name inside one is chance, not a leak); numbers and dates anywhere.
 */
function needles(subject: DemoSubject['subject']): Array<{ label: string; pattern: RegExp }> {
  const word = (s: string): RegExp => new RegExp(`(?<![A-Za-z0-9_-])${escape(s)}(?![A-Za-z0-9_-])`);
  const list: Array<{ label: string; pattern: RegExp }> = [];
  for (const [field, value] of [
    ['givenName', subject.givenName],
    ['familyName', subject.familyName],
  ] as const) {
    for (const form of new Set([value, value.toUpperCase(), value.toLowerCase()]))
      list.push({ label: field, pattern: word(form) });
  }
  list.push({
    label: 'full name',
    pattern: new RegExp(escape(`${subject.givenName} ${subject.familyName}`), 'i'),
  });
  const [y, m, d] = subject.dateOfBirth.split('-');
  for (const form of [`${y}-${m}-${d}`, `${y}${m}${d}`, `${d}/${m}/${y}`, `${d}${m}${y}`])
    list.push({ label: 'dateOfBirth', pattern: new RegExp(escape(form)) });
  if (subject.postcode)
    list.push({ label: 'postcode', pattern: new RegExp(escape(subject.postcode), 'i') });
  for (const [kind, value] of Object.entries(subject.identifiers ?? {})) {
    list.push({ label: kind, pattern: new RegExp(escape(value)) });
    // NHS numbers are often written 3-3-4.
    if (kind === 'nhsNumber' && value.length === 10)
      list.push({
        label: kind,
        pattern: new RegExp(`${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}`),
      });
  }
  return list;
}

describe("Kafka's files after an end-to-end run", () => {
  const federation = new Federation();
  let subjects: DemoSubject[];
  let analyst: string;
  const asked: Array<{ queryId: string; agencies: Agency[] }> = [];

  beforeAll(async () => {
    if (!process.env.KAFKA_DATA_DIR) DATA_DIR = (await brokerLogDir()) ?? DATA_DIR;
    if (!existsSync(DATA_DIR))
      throw new Error(
        `no Kafka data directory at ${DATA_DIR}: run the local Kafka (deploy/kafka/kafka.sh) or set KAFKA_DATA_DIR`,
      );
    await dropDatabases(['broker', ...ALL]);
    subjects = seedSources();
    await federation.start();
    analyst = await federation.token('analyst');
    const manager = await federation.token('manager', 'demo', 'test-manager');

    for (const subject of [...subjects.map((s) => s.subject), ...INVENTED]) {
      const opened = await request(federation.http())
        .post('/api/v1/referrals')
        .set('Authorization', `Bearer ${analyst}`)
        .send({ subject, referrer: { agency: 'education' }, concerns: ['neglect'] })
        .expect(status(201));
      await request(federation.http())
        .put(`/api/v1/cases/${opened.body.id}/consent`)
        .set('Authorization', `Bearer ${manager}`)
        .send({
          status: 'not-sought',
          reason: 'risk-of-significant-harm',
          justification: 'Seeking consent could place the child at risk of significant harm.',
        })
        .expect(status(200));
      const accepted = await request(federation.http())
        .post(`/api/v1/cases/${opened.body.id}/queries`)
        .set('Authorization', `Bearer ${analyst}`)
        .send({ purpose: 'mash-triage' })
        .expect(status(202));
      const done = await eventually(async () => {
        const res = await request(federation.http())
          .get(`/api/v1/queries/${accepted.body.id}`)
          .set('Authorization', `Bearer ${analyst}`)
          .expect(status(200));
        return res.body.status === 'pending'
          ? undefined
          : (res.body as { agencies: Array<{ agency: Agency; decision: string; status: string }> });
      });
      const answered = done.agencies
        .filter((a) => a.decision === 'permit' && a.status !== 'timed-out')
        .map((a) => a.agency);
      asked.push({ queryId: accepted.body.id as string, agencies: answered });
    }
    process.stderr.write(`kafka-at-rest: ${asked.length} queries answered; scanning ${DATA_DIR}\n`);
  }, 240_000);

  afterAll(async () => {
    await federation.stop();
  });

  it('hold the requests and answers of this run, so the scan can see them', () => {
    const segments = readSegments();
    expect(segments.length).toBeGreaterThan(0);
    const text = (topic: string): string =>
      segments
        .filter((s) => s.topic === topic)
        .map((s) => s.text)
        .join('');
    // At least one found child and one agency answer per query, or the scan would prove nothing.
    expect(asked.some((q) => q.agencies.length === ALL.length)).toBe(true);
    for (const { queryId, agencies } of asked) {
      for (const agency of agencies) {
        const requested = text(Topics.queryRequested(agency));
        const responded = text(Topics.queryResponded(agency));
        expect(requested.length).toBeGreaterThan(0);
        expect({
          queryId,
          agency,
          requested: requested.includes(queryId),
          responded: responded.includes(queryId),
        }).toEqual({
          queryId,
          agency,
          requested: true,
          responded: true,
        });
      }
    }
  });

  it('would show a leak: every pattern finds its subject in a plain JSON record and in a JWS payload', () => {
    for (const subject of [...subjects.map((s) => s.subject), ...INVENTED]) {
      const [y, m, d] = subject.dateOfBirth.split('-');
      const dob = [`${y}${m}${d}`, `${d}/${m}/${y}`, `${d}${m}${y}`];
      const names = [subject.givenName, subject.familyName].flatMap((n) => [
        n.toUpperCase(),
        n.toLowerCase(),
      ]);
      const leaked = {
        ...subject,
        dob,
        names,
        name: `${subject.givenName} ${subject.familyName}`,
        nhs: subject.identifiers?.nhsNumber?.replace(/^(\d{3})(\d{3})/, '$1 $2 '),
      };
      const record = `\u0000\u0012${JSON.stringify(leaked)}\u0000`;
      const jws = `{"signed":"eyJhbGciOiJFZERTQSJ9.${Buffer.from(record).toString('base64url')}.c2lnbmF0dXJlc2lnbmF0dXJl"}`;
      for (const { label, pattern } of needles(subject)) {
        expect({
          label,
          pattern: pattern.source,
          plain: pattern.test(record),
          signed: pattern.test(jwsPayloads(jws)),
        }).toEqual({
          label,
          pattern: pattern.source,
          plain: true,
          signed: true,
        });
      }
    }
  });

  it("hold none of the subjects' names, dates of birth, NHS numbers, UPNs or postcodes, in plain text or in signed payloads", () => {
    const segments = readSegments();
    const corpus = segments.map((s) => ({
      file: s.file,
      text: s.text,
      decoded: jwsPayloads(s.text),
    }));
    expect(corpus.some((c) => c.decoded.length > 0)).toBe(true);
    const people = [...subjects.map((s) => s.subject), ...INVENTED];
    const found: string[] = [];
    for (const [i, subject] of people.entries()) {
      for (const { label, pattern } of needles(subject)) {
        for (const c of corpus) {
          // Report where and what kind, never the value itself.
          if (pattern.test(c.text)) found.push(`subject #${i} ${label} in ${c.file}`);
          if (pattern.test(c.decoded))
            found.push(`subject #${i} ${label} in a JWS payload in ${c.file}`);
        }
      }
    }
    expect(found).toEqual([]);
    const bytes = segments.reduce((n, s) => n + statSync(s.file).size, 0);
    process.stderr.write(
      `kafka-at-rest: scanned ${segments.length} segment files, ${bytes} bytes, ${people.length} subjects\n`,
    );
  });
});
