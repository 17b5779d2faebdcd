import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

/*
 * The force's records management system, shaped like a Niche/Athena "nominal" model: people
 * (nominals) with address history, occurrences at locations with the people involved in a role,
 * and warning markers. Only what the MASH adapter reads is modelled.
 */

export type PoliceSex = 'M' | 'F' | 'U';
export type OccurrenceRole = 'victim' | 'suspect' | 'witness' | 'person-reporting';

// The name+DOB lookup runs on lower(trim(...)); that expression index lives in the migration.
@Index('IDX_police_person_name_dob', { synchronize: false })
@Entity({ name: 'person' })
export class PolicePerson {
  @PrimaryGeneratedColumn('uuid', { name: 'person_id' })
  personId!: string;

  @Column('varchar', { length: 100 })
  surname!: string;

  @Column('varchar', { name: 'forename', length: 100 })
  forename!: string;

  @Column('varchar', { name: 'middle_names', length: 200, nullable: true })
  middleNames!: string | null;

  /** Unknown for some nominals (e.g. a witness who gave an approximate age only). */
  @Column('date', { name: 'date_of_birth', nullable: true })
  dateOfBirth!: string | null;

  @Column('varchar', { length: 1 })
  sex!: PoliceSex;

  /** Police National Computer id, e.g. `2019/0123456X`; only for people who have been recorded on PNC. */
  @Index('IDX_police_person_pnc_id')
  @Column('varchar', { name: 'pnc_id', length: 20, nullable: true })
  pncId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the row last changed (a trigger sets it on update): the adapter's change feed reads it. */
  @Index('IDX_person_updated_at')
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

@Entity({ name: 'person_address' })
export class PolicePersonAddress {
  @PrimaryGeneratedColumn('uuid', { name: 'person_address_id' })
  personAddressId!: string;

  @Index('IDX_police_person_address_person')
  @Column('uuid', { name: 'person_id' })
  personId!: string;

  @ManyToOne(() => PolicePerson, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id' })
  person?: PolicePerson;

  @Column('varchar', { name: 'address_line', length: 200 })
  addressLine!: string;

  @Column('varchar', { length: 100 })
  town!: string;

  @Column('varchar', { length: 10 })
  postcode!: string;

  @Column('date', { name: 'valid_from', nullable: true })
  validFrom!: string | null;

  @Column('date', { name: 'valid_to', nullable: true })
  validTo!: string | null;

  /** When the row last changed (a trigger sets it on update): the adapter's change feed reads it. */
  @Index('IDX_person_address_updated_at')
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

@Entity({ name: 'location' })
export class PoliceLocation {
  @PrimaryGeneratedColumn('uuid', { name: 'location_id' })
  locationId!: string;

  @Column('varchar', { name: 'address_line', length: 200 })
  addressLine!: string;

  @Column('varchar', { length: 100 })
  town!: string;

  @Column('varchar', { length: 10 })
  postcode!: string;

  @Column('varchar', { name: 'beat_code', length: 10, nullable: true })
  beatCode!: string | null;
}

@Entity({ name: 'occurrence' })
export class PoliceOccurrence {
  @PrimaryGeneratedColumn('uuid', { name: 'occurrence_id' })
  occurrenceId!: string;

  /** The reference officers quote, e.g. `NN-20240312-01234`. */
  @Index('UQ_police_occurrence_ref', { unique: true })
  @Column('varchar', { name: 'occurrence_ref', length: 30 })
  occurrenceRef!: string;

  @Column('date', { name: 'occurred_on' })
  occurredOn!: string;

  @Column('timestamptz', { name: 'reported_at' })
  reportedAt!: Date;

  @Column('varchar', { name: 'occurrence_type', length: 60 })
  occurrenceType!: string;

  @Column('uuid', { name: 'location_id', nullable: true })
  locationId!: string | null;

  @ManyToOne(() => PoliceLocation, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'location_id' })
  location?: PoliceLocation;

  @Column('text')
  summary!: string;

  @Column('boolean', { name: 'domestic_abuse_marker', default: false })
  domesticAbuseMarker!: boolean;
}

@Entity({ name: 'occurrence_person' })
export class PoliceOccurrencePerson {
  @PrimaryColumn('uuid', { name: 'occurrence_id' })
  occurrenceId!: string;

  @ManyToOne(() => PoliceOccurrence, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'occurrence_id' })
  occurrence?: PoliceOccurrence;

  @Index('IDX_police_occurrence_person_person')
  @PrimaryColumn('uuid', { name: 'person_id' })
  personId!: string;

  @ManyToOne(() => PolicePerson, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id' })
  person?: PolicePerson;

  @PrimaryColumn('varchar', { length: 20 })
  role!: OccurrenceRole;
}

@Entity({ name: 'warning_marker' })
export class PoliceWarningMarker {
  @PrimaryGeneratedColumn('uuid', { name: 'warning_marker_id' })
  warningMarkerId!: string;

  @Index('IDX_police_warning_marker_person')
  @Column('uuid', { name: 'person_id' })
  personId!: string;

  @ManyToOne(() => PolicePerson, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id' })
  person?: PolicePerson;

  /** PNC-style marker code, e.g. `VI` (violent), `WE` (weapons). */
  @Column('varchar', { name: 'marker_code', length: 4 })
  markerCode!: string;

  @Column('varchar', { name: 'marker_description', length: 60 })
  markerDescription!: string;

  @Column('date', { name: 'added_on' })
  addedOn!: string;
}

/** Outcomes the MASH fed back; idempotent by outcome_id. */
export const PoliceSourceEntities = [
  PolicePerson,
  PolicePersonAddress,
  PoliceLocation,
  PoliceOccurrence,
  PoliceOccurrencePerson,
  PoliceWarningMarker,
];
