/*
 * The parts of FHIR R4 (UK Core) resources the FHIR connector reads: a narrow, hand-written subset
 * so the connector depends on the shapes it uses and nothing else.
 */

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Extension {
  url: string;
  valueCodeableConcept?: CodeableConcept;
}
export interface Period {
  start?: string;
  end?: string;
}
export interface Identifier {
  system?: string;
  value?: string;
  period?: Period;
  extension?: Extension[];
}
export interface Reference {
  reference?: string;
  display?: string;
  identifier?: Identifier;
}
export interface HumanName {
  use?: string;
  family?: string;
  given?: string[];
  period?: Period;
}
export interface Address {
  use?: string;
  line?: string[];
  city?: string;
  postalCode?: string;
  period?: Period;
}

export interface Patient {
  resourceType: 'Patient';
  id?: string;
  identifier?: Identifier[];
  name?: HumanName[];
  gender?: string;
  birthDate?: string;
  address?: Address[];
  generalPractitioner?: Reference[];
  extension?: Extension[];
}

export interface Encounter {
  resourceType: 'Encounter';
  id?: string;
  status?: string;
  class?: Coding;
  serviceType?: CodeableConcept;
  subject?: Reference;
  period?: Period;
  reasonCode?: CodeableConcept[];
  location?: Array<{ location?: Reference }>;
  serviceProvider?: Reference;
  hospitalization?: { dischargeDisposition?: CodeableConcept };
}

export interface Flag {
  resourceType: 'Flag';
  id?: string;
  status?: string;
  code?: CodeableConcept;
  subject?: Reference;
  period?: Period;
}

export interface Bundle<T> {
  resourceType: 'Bundle';
  total?: number;
  entry?: Array<{ resource?: T }>;
  link?: Array<{ relation?: string; url?: string }>;
}

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const NHS_NUMBER_VERIFICATION_STATUS =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
export const ODS_ORGANISATION_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
/** `01`: number present and verified (UK Core NHSNumberVerificationStatus). */
export const NHS_NUMBER_VERIFIED = '01';
