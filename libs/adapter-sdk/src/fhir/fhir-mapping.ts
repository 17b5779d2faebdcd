import type { MatchSubject, SourceCandidate } from '@mash/matching';
import type { SourceRecord } from '../connector';
import {
  type Address,
  type CodeableConcept,
  type Encounter,
  type Flag,
  type HumanName,
  NHS_NUMBER_SYSTEM,
  NHS_NUMBER_VERIFICATION_STATUS,
  NHS_NUMBER_VERIFIED,
  ODS_ORGANISATION_CODE_SYSTEM,
  type Patient,
} from './fhir-resources';

/*
 * FHIR R4 (UK Core) resources to what the SDK works with: a Patient becomes a matcher candidate
 * (the same identity fields a SQL connector's candidates row gives), an Encounter, a Flag or the
 * registered GP becomes a contract record. Pure: no I/O, no clock.
 */

/**
 * The NHS number of a Patient, or null. A number whose UK Core verification status says it is not
 * verified (02-08: present but not traced, trace required, ...) is left out: the matcher takes an
 * agreeing NHS number as decisive, which only a traced number may be. Without the extension the
 * number counts, as a SQL source's `nhs_number` column would.
 */
export function verifiedNhsNumber(patient: Patient): string | null {
  for (const id of patient.identifier ?? []) {
    if (id.system !== NHS_NUMBER_SYSTEM || !id.value) continue;
    const status = id.extension?.find((e) => e.url === NHS_NUMBER_VERIFICATION_STATUS);
    const code = status?.valueCodeableConcept?.coding?.find((c) => c.code)?.code;
    if (status === undefined || code === NHS_NUMBER_VERIFIED) return id.value.replace(/\s+/g, '');
  }
  return null;
}

const current = (p?: { end?: string }) => p?.end === undefined;

/** Names the person is known by: official and usual first, then former (old, maiden). */
function names(patient: Patient): HumanName[] {
  const usable = (patient.name ?? []).filter(
    (n) => n.use !== 'anonymous' && (n.family || (n.given ?? []).length > 0),
  );
  const rank = (n: HumanName) =>
    n.use === 'official' ? 0 : n.use === 'usual' ? 1 : current(n.period) ? 2 : 3;
  return [...usable].sort((a, b) => rank(a) - rank(b));
}

/** Home addresses, current first; each is a way the person may be held. */
function addresses(patient: Patient): Address[] {
  const usable = (patient.address ?? []).filter(
    (a) => a.use !== 'billing' && (a.postalCode || (a.line ?? []).length > 0),
  );
  return [...usable].sort((a, b) => Number(!current(a.period)) - Number(!current(b.period)));
}

/**
 * A Patient as a matcher candidate: one variant per name and address it is held under (a former
 * surname, an old address), each scored against the query as a SQL source's rows are. The ref is
 * the Patient's logical id on the server; it never leaves the adapter.
 */
export function patientToCandidate(patient: Patient): SourceCandidate | null {
  if (!patient.id) return null;
  const nhsNumber = verifiedNhsNumber(patient);
  const base: MatchSubject = {
    dateOfBirth: patient.birthDate ?? null,
    sex: patient.gender ?? null,
    ...(nhsNumber === null ? {} : { identifiers: { nhsNumber } }),
  };
  const ns = names(patient);
  const as = addresses(patient);
  const variants: MatchSubject[] = [];
  for (const n of ns.length > 0 ? ns : [undefined])
    for (const a of as.length > 0 ? as : [undefined])
      variants.push({
        ...base,
        givenName: n?.given?.join(' ') || null,
        familyName: n?.family ?? null,
        postcode: a?.postalCode ?? null,
        address: a?.line?.join(', ') || null,
      });
  return { ref: patient.id, variants };
}

const text = (c?: CodeableConcept): string | null =>
  c?.text ??
  c?.coding?.find((x) => x.display)?.display ??
  c?.coding?.find((x) => x.code)?.code ??
  null;

const LONDON = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day (in England) of a FHIR date or dateTime: what the SQL connector's `to_char … AT TIME ZONE 'Europe/London'` gives. */
export function londonDay(value: string | undefined): string | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  if (!/T/.test(value)) return value.slice(0, 10); // a year or year-month: as precise as the source
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : LONDON.format(at);
}

const newestFirst = <T>(items: T[], start: (t: T) => string | undefined): T[] =>
  [...items].sort((a, b) => {
    const x = start(a) ? Date.parse(start(a)!) : -Infinity;
    const y = start(b) ? Date.parse(start(b)!) : -Infinity;
    return y - x;
  });

export interface EncounterFilter {
  /** Encounter.class codes kept (e.g. `EMER`); all when absent. */
  class?: readonly string[];
  /** Encounter.status values kept; all when absent. */
  status?: readonly string[];
}

/** Encounters as attendances, newest first: `attendedOn`, `department`, `reason`, `outcome`. */
export function encountersToAttendances(
  encounters: readonly Encounter[],
  filter: EncounterFilter = {},
): SourceRecord[] {
  const kept = encounters.filter(
    (e) =>
      (!filter.class || (e.class?.code !== undefined && filter.class.includes(e.class.code))) &&
      (!filter.status || (e.status !== undefined && filter.status.includes(e.status))),
  );
  return newestFirst(kept, (e) => e.period?.start).map((e) => ({
    attendedOn: londonDay(e.period?.start),
    department:
      text(e.serviceType) ??
      e.location?.find((l) => l.location?.display)?.location?.display ??
      null,
    reason: text(e.reasonCode?.[0]),
    outcome: text(e.hospitalization?.dischargeDisposition),
  }));
}

export interface FlagFilter {
  /** Flag.status values kept; default `active` (an ended plan is no longer flagged to clinicians). */
  status?: readonly string[];
  /** Flag.code codes kept and the contract `type` each becomes; every flag, by its text, when absent. */
  codes?: Readonly<Record<string, string>>;
}

/** Flags as contract records, newest first: `type`, `startedOn`. */
export function flagsToRecords(flags: readonly Flag[], filter: FlagFilter = {}): SourceRecord[] {
  const statuses = filter.status ?? ['active'];
  const out: Array<{ start?: string; record: SourceRecord }> = [];
  for (const f of flags) {
    if (f.status === undefined || !statuses.includes(f.status)) continue;
    let type: string | null;
    if (filter.codes) {
      const code = f.code?.coding?.find((c) => c.code !== undefined && c.code in filter.codes!);
      if (!code?.code) continue;
      type = filter.codes[code.code];
    } else type = text(f.code);
    out.push({ start: f.period?.start, record: { type, startedOn: londonDay(f.period?.start) } });
  }
  return newestFirst(out, (o) => o.start).map((o) => o.record);
}

/**
 * The registered GP practice from `Patient.generalPractitioner` (an Organization): its display as
 * `practiceName`, else its ODS code; `registeredOn` from the ODS identifier's period, where PDS
 * records the registration (UK Core has no element of its own for it), else null.
 */
export function generalPractitionerRecords(patient: Patient): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const r of patient.generalPractitioner ?? []) {
    const organisation =
      r.reference?.startsWith('Organization/') ||
      r.identifier?.system === ODS_ORGANISATION_CODE_SYSTEM;
    const name = r.display ?? r.identifier?.value;
    if (!organisation || !name) continue;
    out.push({ practiceName: name, registeredOn: londonDay(r.identifier?.period?.start) });
  }
  return out;
}
