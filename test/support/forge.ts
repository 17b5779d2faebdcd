/**
 * What an attacker with write access to Kafka could put on the wire, built with the real trust
 * library: grants signed with the wrong key, tampered, expired, unsigned, for another agency or
 * subject; answers signed by the wrong agency or bound to the wrong request. Keys come from the
 * test federation's key directory, so "genuine" messages built here are exactly what the broker
 * and adapters would produce.
 */
import { randomUUID } from 'node:crypto';
import { CompactSign, SignJWT, createLocalJWKSet, generateKeyPair, exportJWK } from 'jose';
import {
  Headers,
  type Agency,
  type AgencyAuditEventV1,
  type CaseOutcomeV1,
  type QueryAnswerV1,
  type QueryRequestedV1,
  type QueryRespondedV1,
  type SubjectCriteria,
} from '@mash/contracts';
import {
  FileKeyRingStore,
  GRANT_ISSUER,
  GRANT_TYPE,
  SIGNING_ALG,
  ServiceKeys,
  criteriaHash,
  encryptFor,
  openSigned,
  sealCriteria,
  sealSigned,
  sha256,
  type GrantClaims,
  type LoadedKey,
} from '@mash/trust';
import type { IHeaders } from 'kafkajs';
import type { INestApplication } from '@nestjs/common';
import { SOURCE_CONNECTOR, type SourceConnector } from '@mash/adapter-sdk';
import { TEST_KEYS_DIR } from './federation';
import { publishRaw } from './kafka';

export const adapterService = (agency: Agency): string => `adapter-${agency}`;

/** The keys a service of the test federation holds (read from `.local/test/keys`). */
export async function serviceKeys(service: string): Promise<ServiceKeys> {
  const ring = new FileKeyRingStore(TEST_KEYS_DIR).read(service);
  if (!ring) throw new Error(`no test keys for ${service}: start the federation first`);
  return ServiceKeys.fromRing(ring);
}

/** A signing key nobody registered: what an outsider would sign with. */
export async function outsiderKey(kid = `sig-${randomUUID()}`): Promise<LoadedKey> {
  const pair = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  return {
    kid,
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid },
  };
}

export interface GrantOptions {
  signer: LoadedKey;
  /** Audience; defaults to the agency the request goes to. */
  audience?: string;
  issuer?: string;
  typ?: string;
  /** Seconds since the epoch. */
  issuedAt?: number;
  expiresAt?: number;
  grantId?: string;
}

export interface ForgedRequest {
  message: QueryRequestedV1;
  grantId: string;
  queryId: string;
  claims: GrantClaims;
}

export function claimsFor(agency: Agency, queryId: string, criteriaHashValue: string): GrantClaims {
  return {
    queryId,
    caseRef: randomUUID(),
    partnership: 'demo',
    agency,
    purpose: 'mash-triage',
    legalGateways: ['children-act-1989-s47'],
    agreement: { id: 'forged', version: 1, hash: 'x'.repeat(43) },
    categories: [{ name: 'occurrences', fields: [{ name: 'occurredOn', action: 'include' }] }],
    requestedBy: { sub: 'attacker', role: 'analyst', partnership: 'demo' },
    criteriaHash: criteriaHashValue,
  };
}

export async function signClaims(claims: GrantClaims, options: GrantOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { agency, ...rest } = claims;
  return new SignJWT({ mash: rest })
    .setProtectedHeader({
      alg: SIGNING_ALG,
      kid: options.signer.kid,
      typ: options.typ ?? GRANT_TYPE,
    })
    .setIssuer(options.issuer ?? GRANT_ISSUER)
    .setAudience(options.audience ?? agency)
    .setSubject(claims.requestedBy.sub)
    .setJti(options.grantId ?? randomUUID())
    .setIssuedAt(options.issuedAt ?? now)
    .setExpirationTime(options.expiresAt ?? now + 60)
    .sign(options.signer.privateKey);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Replaces the payload of a signed token and keeps the original signature. */
export function tamper(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  edit(claims);
  return `${header}.${b64(claims)}.${signature}`;
}

/** An unsecured JWT (`alg: none`, empty signature) carrying the same claims. */
export function unsigned(token: string, alg = 'none'): string {
  const [header, payload] = token.split('.');
  const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return `${b64({ ...parsed, alg })}.${payload}.`;
}

/**
 * A complete request for `agency`: criteria sealed to the agency's real key, a grant signed as
 * `grant` says. `grantCriteria` makes the grant's hash name another subject than the criteria.
 */
export async function forgeRequest(
  agency: Agency,
  subject: SubjectCriteria,
  grant: Omit<GrantOptions, 'grantId'> & {
    grantId?: string;
    grantCriteria?: SubjectCriteria;
    token?: (claims: GrantClaims, token: string) => string;
  },
): Promise<ForgedRequest> {
  const queryId = randomUUID();
  const grantId = grant.grantId ?? randomUUID();
  const agencyKeys = await serviceKeys(adapterService(agency));
  const sealed = sealCriteria(subject);
  const hashed = grant.grantCriteria
    ? { criteria: grant.grantCriteria, nonce: sealed.nonce }
    : sealed;
  const claims = claimsFor(agency, queryId, criteriaHash(hashed));
  const signed = await signClaims(claims, { ...grant, grantId });
  const token = grant.token ? grant.token(claims, signed) : signed;
  const message: QueryRequestedV1 = {
    type: 'query.requested',
    version: 1,
    messageId: randomUUID(),
    queryId,
    agency,
    partnership: 'demo',
    grant: token,
    criteria: await encryptFor(sealed, agencyKeys.encryptionJwk()),
    deadline: new Date(Date.now() + 60_000).toISOString(),
    issuedAt: new Date().toISOString(),
  };
  return { message, grantId, queryId, claims };
}

/** Publishes a request or reply as any client with write access to the topic could, keyed and headed like the real thing. */
export async function publishMessage(
  topic: string,
  message: { messageId: string; queryId: string; type: string },
): Promise<void> {
  await publishRaw(
    topic,
    JSON.stringify(message),
    headersOf(message),
    message.queryId as ReturnType<typeof randomUUID>,
  );
}

/** Kafka headers the broker puts on a request or reply. */
export function headersOf(message: { messageId: string; queryId: string; type: string }): IHeaders {
  return {
    [Headers.correlationId]: message.queryId,
    [Headers.messageId]: message.messageId,
    [Headers.messageType]: message.type,
    [Headers.schemaVersion]: '1',
  };
}

export interface AnswerOptions {
  /** Who signs the answer (defaults to the agency's own registered key). */
  signer?: LoadedKey;
  requestHash: string;
  status?: QueryAnswerV1['status'];
  records?: QueryAnswerV1['records'];
}

/** An answer envelope for `agency`, signed and sealed to the broker's published encryption key. */
export async function forgeAnswer(
  agency: Agency,
  queryId: string,
  options: AnswerOptions,
): Promise<QueryRespondedV1> {
  const broker = await serviceKeys('broker');
  const signer = options.signer ?? (await serviceKeys(adapterService(agency))).signing;
  const status = options.status ?? 'match';
  const answer: QueryAnswerV1 = {
    queryId,
    agency,
    partnership: 'demo',
    requestHash: options.requestHash,
    status,
    ...(status === 'match'
      ? {
          match: { confidence: 0.99, method: 'forged' },
          records: options.records ?? { occurrences: [{ occurredOn: '2024-01-01' }] },
        }
      : {}),
    respondedAt: new Date().toISOString(),
  };
  return {
    type: 'query.responded',
    version: 1,
    messageId: randomUUID(),
    queryId,
    agency,
    partnership: 'demo',
    body: await sealSigned(answer, signer, broker.encryptionJwk()),
    respondedAt: new Date().toISOString(),
  };
}

/** Opens a reply an adapter sent to the broker, as the broker would. */
export async function openReply(agency: Agency, body: string): Promise<QueryAnswerV1> {
  const broker = await serviceKeys('broker');
  const agencyKeys = await serviceKeys(adapterService(agency));
  const { payload } = await openSigned<QueryAnswerV1>(
    body,
    broker,
    createLocalJWKSet(agencyKeys.jwks),
  );
  return payload;
}

export const requestHashOf = (grantToken: string): string => sha256(grantToken);

/** Counts every call an adapter makes to its source system; `hold()` parks lookups until `release()`. */
export class SourceWatch {
  findSubject = 0;
  fetchRecords = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  constructor(app: INestApplication) {
    const connector = app.get<SourceConnector>(SOURCE_CONNECTOR);
    const find = connector.findSubject.bind(connector);
    const fetch = connector.fetchRecords.bind(connector);
    connector.findSubject = async (criteria) => {
      this.findSubject += 1;
      if (this.gate) await this.gate;
      return find(criteria);
    };
    connector.fetchRecords = async (ref, categories) => {
      this.fetchRecords += 1;
      return fetch(ref, categories);
    };
  }

  get touched(): number {
    return this.findSubject + this.fetchRecords;
  }

  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }
}

/** An agency-side audit event as an adapter would send it, with whatever content the caller signs. */
export async function agencyAuditEvent(
  agency: Agency,
  content: Record<string, unknown>,
  outer: { partnership?: string; signer?: LoadedKey; messageId?: string } = {},
): Promise<AgencyAuditEventV1> {
  const signer = outer.signer ?? (await serviceKeys(adapterService(agency))).signing;
  const signed = await new CompactSign(new TextEncoder().encode(JSON.stringify(content)))
    .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid })
    .sign(signer.privateKey);
  return {
    type: 'audit.agency-event',
    version: 1,
    messageId: outer.messageId ?? randomUUID(),
    agency,
    partnership: outer.partnership ?? 'demo',
    signed,
    occurredAt: new Date().toISOString(),
  };
}

/**
 * A case outcome for `agency`: `body` sealed to the agency's real key, signed by `signer` (the
 * broker's key by default), or only encrypted (`signer: null`) as outcomes were before issue 17.
 */
export async function forgeOutcome(
  agency: Agency,
  body: Record<string, unknown>,
  options: { signer?: LoadedKey | null; outcomeId?: string; caseId?: string } = {},
): Promise<CaseOutcomeV1> {
  const agencyKeys = await serviceKeys(adapterService(agency));
  const outcomeId = options.outcomeId ?? randomUUID();
  const caseId = options.caseId ?? randomUUID();
  const signer =
    options.signer === undefined ? (await serviceKeys('broker')).signing : options.signer;
  const full = { outcomeId, caseId, partnership: 'demo', agency, ...body };
  return {
    type: 'case.outcome',
    version: 1,
    messageId: randomUUID(),
    outcomeId,
    caseId,
    partnership: 'demo',
    agency,
    body:
      signer === null
        ? await encryptFor(full, agencyKeys.encryptionJwk())
        : await sealSigned(full, signer, agencyKeys.encryptionJwk()),
    decidedAt: new Date().toISOString(),
  };
}
