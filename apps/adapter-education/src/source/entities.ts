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
 * The local authority's education management system, with Common Transfer File (CTF) names:
 * pupils (UPN, FormerUPN, Surname, Forename, DOB, Gender, address), schools (URN), enrolments
 * (EntryDate, NCyearActual), termly attendance in sessions, exclusions and SEN provision.
 */

export type CtfGender = 'M' | 'F';
/** CTF exclusion Category: fixed period (suspension) or permanent. */
export type ExclusionCategory = 'FIXD' | 'PERM';
/** SEN provision: K = SEN support, E = education, health and care plan. */
export type SenProvision = 'K' | 'E';

@Entity({ name: 'school' })
export class EducationSchool {
  @PrimaryColumn('integer')
  urn!: number;

  /** LA number + DfE establishment number, e.g. `9412001`. */
  @Column('varchar', { name: 'la_estab', length: 7 })
  laEstab!: string;

  @Column('varchar', { name: 'school_name', length: 200 })
  schoolName!: string;

  /** `Primary` or `Secondary`. */
  @Column('varchar', { length: 20 })
  phase!: string;

  @Column('varchar', { length: 10 })
  postcode!: string;
}

@Index('IDX_education_pupil_name_dob', { synchronize: false })
@Entity({ name: 'pupil' })
export class EducationPupil {
  @PrimaryGeneratedColumn('uuid', { name: 'pupil_id' })
  pupilId!: string;

  @Index('IDX_education_pupil_upn')
  @Column('varchar', { length: 13, nullable: true })
  upn!: string | null;

  @Index('IDX_education_pupil_former_upn')
  @Column('varchar', { name: 'former_upn', length: 13, nullable: true })
  formerUpn!: string | null;

  @Column('varchar', { length: 100 })
  surname!: string;

  @Column('varchar', { length: 100 })
  forename!: string;

  @Column('varchar', { name: 'middle_names', length: 200, nullable: true })
  middleNames!: string | null;

  @Column('varchar', { name: 'preferred_surname', length: 100, nullable: true })
  preferredSurname!: string | null;

  @Column('date')
  dob!: string;

  @Column('varchar', { length: 1 })
  gender!: CtfGender;

  @Column('varchar', { name: 'address_line', length: 200, nullable: true })
  addressLine!: string | null;

  @Column('varchar', { length: 10, nullable: true })
  postcode!: string | null;

  /** When the row last changed (a trigger sets it on update): the adapter's change feed reads it. */
  @Index('IDX_pupil_updated_at')
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

@Entity({ name: 'enrolment' })
export class EducationEnrolment {
  @PrimaryGeneratedColumn('uuid', { name: 'enrolment_id' })
  enrolmentId!: string;

  @Index('IDX_education_enrolment_pupil')
  @Column('uuid', { name: 'pupil_id' })
  pupilId!: string;

  @ManyToOne(() => EducationPupil, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pupil_id' })
  pupil?: EducationPupil;

  @Column('integer')
  urn!: number;

  @ManyToOne(() => EducationSchool)
  @JoinColumn({ name: 'urn' })
  school?: EducationSchool;

  @Column('date', { name: 'entry_date' })
  entryDate!: string;

  @Column('date', { name: 'leaving_date', nullable: true })
  leavingDate!: string | null;

  /** NCyearActual: `R`, `1`..`13`. */
  @Column('varchar', { name: 'nc_year_actual', length: 2 })
  ncYearActual!: string;

  /** EnrolStatus: `C` current (single registration), `M` main dual, `S` subsidiary dual. */
  @Column('varchar', { name: 'enrol_status', length: 1 })
  enrolStatus!: string;
}

@Entity({ name: 'attendance' })
export class EducationAttendance {
  @PrimaryGeneratedColumn('uuid', { name: 'attendance_id' })
  attendanceId!: string;

  @Index('IDX_education_attendance_pupil')
  @Column('uuid', { name: 'pupil_id' })
  pupilId!: string;

  @ManyToOne(() => EducationPupil, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pupil_id' })
  pupil?: EducationPupil;

  @Column('integer')
  urn!: number;

  /** e.g. `2025/26 Autumn`. */
  @Column('varchar', { length: 20 })
  term!: string;

  @Column('integer', { name: 'sessions_possible' })
  sessionsPossible!: number;

  @Column('integer', { name: 'sessions_authorised_absence' })
  sessionsAuthorisedAbsence!: number;

  @Column('integer', { name: 'sessions_unauthorised_absence' })
  sessionsUnauthorisedAbsence!: number;
}

@Entity({ name: 'exclusion' })
export class EducationExclusion {
  @PrimaryGeneratedColumn('uuid', { name: 'exclusion_id' })
  exclusionId!: string;

  @Index('IDX_education_exclusion_pupil')
  @Column('uuid', { name: 'pupil_id' })
  pupilId!: string;

  @ManyToOne(() => EducationPupil, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pupil_id' })
  pupil?: EducationPupil;

  @Column('integer')
  urn!: number;

  @Column('date', { name: 'start_date' })
  startDate!: string;

  @Column('varchar', { length: 4 })
  category!: ExclusionCategory;

  /** DfE exclusion reason code, e.g. `PP` physical assault against a pupil, `DA` drug and alcohol related. */
  @Column('varchar', { length: 4 })
  reason!: string;

  @Column('integer')
  sessions!: number;
}

@Entity({ name: 'sen_need' })
export class EducationSenNeed {
  @PrimaryGeneratedColumn('uuid', { name: 'sen_need_id' })
  senNeedId!: string;

  @Index('IDX_education_sen_need_pupil')
  @Column('uuid', { name: 'pupil_id' })
  pupilId!: string;

  @ManyToOne(() => EducationPupil, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pupil_id' })
  pupil?: EducationPupil;

  @Column('varchar', { name: 'sen_provision', length: 1 })
  senProvision!: SenProvision;

  /** SEN type of need, e.g. `SEMH`, `SLCN`, `ASD`, `MLD`, `SPLD`. */
  @Column('varchar', { name: 'need_type', length: 4 })
  needType!: string;

  @Column('integer', { name: 'need_rank' })
  needRank!: number;

  @Column('date', { name: 'ehcp_start_date', nullable: true })
  ehcpStartDate!: string | null;
}

export const EducationSourceEntities = [
  EducationSchool,
  EducationPupil,
  EducationEnrolment,
  EducationAttendance,
  EducationExclusion,
  EducationSenNeed,
];
