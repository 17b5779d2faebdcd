import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

/*
 * A trust's patient store laid out after FHIR R4 UK Core: Patient (with the NHS number and its
 * verification status extension, and the registered GP practice), Organization (ODS code),
 * Encounter (A&E attendances) and Flag (Child Protection - Information Sharing flags).
 */

export type FhirGender = 'male' | 'female' | 'other' | 'unknown';
/** UK Core NHSNumberVerificationStatus: 01 present and verified, 02 present but not traced, ... 08. */
export type NhsNumberVerificationStatus = '01' | '02' | '03' | '04' | '05' | '06' | '07' | '08';
/**
 * Flag codes kept by the trust: CP-IS for children (`CPP` child protection plan, `LAC` looked
 * after) and adult safeguarding flags (`MH` adult mental health, `SM` substance misuse).
 */
export type HealthFlagCode = 'CPP' | 'LAC' | 'MH' | 'SM';

@Entity({ name: 'organization' })
export class HealthOrganization {
  /** ODS code, e.g. `K83012` for a GP practice, `RNS` for a trust. */
  @PrimaryColumn('varchar', { name: 'ods_code', length: 10 })
  odsCode!: string;

  @Column('varchar', { length: 200 })
  name!: string;

  /** `gp-practice` or `trust`. */
  @Column('varchar', { length: 20 })
  kind!: string;
}

@Index('IDX_health_patient_name_dob', { synchronize: false })
@Entity({ name: 'patient' })
export class HealthPatient {
  /** FHIR logical id. */
  @PrimaryGeneratedColumn('uuid', { name: 'patient_id' })
  patientId!: string;

  @Index('IDX_health_patient_nhs_number')
  @Column('varchar', { name: 'nhs_number', length: 10, nullable: true })
  nhsNumber!: string | null;

  @Column('varchar', { name: 'nhs_number_verification_status', length: 2, nullable: true })
  nhsNumberVerificationStatus!: NhsNumberVerificationStatus | null;

  /** HumanName.family (official use). */
  @Column('varchar', { name: 'family_name', length: 100 })
  familyName!: string;

  /** First HumanName.given. */
  @Column('varchar', { name: 'given_name', length: 100 })
  givenName!: string;

  /** Further HumanName.given, space separated. */
  @Column('varchar', { name: 'other_given_names', length: 200, nullable: true })
  otherGivenNames!: string | null;

  @Column('date', { name: 'birth_date' })
  birthDate!: string;

  @Column('varchar', { length: 10 })
  gender!: FhirGender;

  @Column('varchar', { name: 'address_line', length: 200, nullable: true })
  addressLine!: string | null;

  @Column('varchar', { name: 'address_city', length: 100, nullable: true })
  addressCity!: string | null;

  @Column('varchar', { name: 'address_postcode', length: 10, nullable: true })
  addressPostcode!: string | null;

  /** Patient.generalPractitioner → Organization (ODS). */
  @Column('varchar', { name: 'general_practitioner_ods', length: 10, nullable: true })
  generalPractitionerOds!: string | null;

  @ManyToOne(() => HealthOrganization, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'general_practitioner_ods' })
  generalPractitioner?: HealthOrganization;

  @Column('date', { name: 'gp_registered_on', nullable: true })
  gpRegisteredOn!: string | null;

  /** When the row last changed (a trigger sets it on update): the adapter's change feed reads it. */
  @Index('IDX_patient_updated_at')
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

@Entity({ name: 'encounter' })
export class HealthEncounter {
  @PrimaryGeneratedColumn('uuid', { name: 'encounter_id' })
  encounterId!: string;

  @Index('IDX_health_encounter_patient')
  @Column('uuid', { name: 'patient_id' })
  patientId!: string;

  @ManyToOne(() => HealthPatient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'patient_id' })
  patient?: HealthPatient;

  /** v3 ActCode: `EMER` for emergency department attendances. */
  @Column('varchar', { name: 'class_code', length: 10 })
  classCode!: string;

  @Column('timestamptz', { name: 'period_start' })
  periodStart!: Date;

  @Column('varchar', { length: 100 })
  department!: string;

  /** Encounter.reasonCode text (chief complaint). */
  @Column('varchar', { name: 'reason_text', length: 200 })
  reasonText!: string;

  /** Encounter.hospitalization.dischargeDisposition text. */
  @Column('varchar', { name: 'discharge_disposition', length: 100 })
  dischargeDisposition!: string;

  @Column('varchar', { name: 'service_provider_ods', length: 10 })
  serviceProviderOds!: string;
}

@Entity({ name: 'flag' })
export class HealthFlag {
  @PrimaryGeneratedColumn('uuid', { name: 'flag_id' })
  flagId!: string;

  @Index('IDX_health_flag_patient')
  @Column('uuid', { name: 'patient_id' })
  patientId!: string;

  @ManyToOne(() => HealthPatient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'patient_id' })
  patient?: HealthPatient;

  @Column('varchar', { length: 10 })
  code!: HealthFlagCode;

  /** `active` or `inactive`. */
  @Column('varchar', { length: 10 })
  status!: string;

  @Column('date', { name: 'period_start' })
  periodStart!: string;

  @Column('date', { name: 'period_end', nullable: true })
  periodEnd!: string | null;
}

export const HealthSourceEntities = [
  HealthOrganization,
  HealthPatient,
  HealthEncounter,
  HealthFlag,
];
