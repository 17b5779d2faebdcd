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
 * The local authority's children's social care case management system, with Children in Need
 * census names (LAchildID, UPN, FormerUPN, PersonBirthDate, GenderCurrent; CINdetails,
 * Assessments, Section47, ChildProtectionPlans) and SSDA903 looked-after episodes.
 */

/** CIN GenderCurrent: 0 not known, 1 male, 2 female, 9 not specified. */
export type CinGender = 0 | 1 | 2 | 9;

@Index('IDX_social_care_child_name_dob', { synchronize: false })
@Entity({ name: 'child' })
export class SocialCareChild {
  /** LAchildID: the authority's own person id. */
  @PrimaryColumn('varchar', { name: 'la_child_id', length: 15 })
  laChildId!: string;

  @Index('IDX_social_care_child_upn')
  @Column('varchar', { length: 13, nullable: true })
  upn!: string | null;

  @Index('IDX_social_care_child_former_upn')
  @Column('varchar', { name: 'former_upn', length: 13, nullable: true })
  formerUpn!: string | null;

  /** UPNunknown reason (UN1..UN10) when no UPN is held. */
  @Column('varchar', { name: 'upn_unknown', length: 4, nullable: true })
  upnUnknown!: string | null;

  @Column('varchar', { length: 100 })
  forename!: string;

  @Column('varchar', { length: 100 })
  surname!: string;

  @Column('date', { name: 'person_birth_date', nullable: true })
  personBirthDate!: string | null;

  @Column('smallint', { name: 'gender_current' })
  genderCurrent!: CinGender;

  @Column('varchar', { name: 'address_line', length: 200, nullable: true })
  addressLine!: string | null;

  @Column('varchar', { length: 10, nullable: true })
  postcode!: string | null;

  /** When the row last changed (a trigger sets it on update): the adapter's change feed reads it. */
  @Index('IDX_child_updated_at')
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

@Entity({ name: 'cin_referral' })
export class SocialCareReferral {
  @PrimaryGeneratedColumn('uuid', { name: 'referral_id' })
  referralId!: string;

  @Index('IDX_social_care_referral_child')
  @Column('varchar', { name: 'la_child_id', length: 15 })
  laChildId!: string;

  @ManyToOne(() => SocialCareChild, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'la_child_id' })
  child?: SocialCareChild;

  @Column('date', { name: 'cin_referral_date' })
  cinReferralDate!: string;

  /** ReferralSource code, e.g. `1A` individual, `2A` school, `3D` hospital A&E, `5C` police. */
  @Column('varchar', { name: 'referral_source', length: 3 })
  referralSource!: string;

  /** PrimaryNeedCode N1..N9 (N1 abuse or neglect). */
  @Column('varchar', { name: 'primary_need_code', length: 2 })
  primaryNeedCode!: string;

  @Column('boolean', { name: 'referral_nfa', default: false })
  referralNfa!: boolean;

  @Column('date', { name: 'cin_closure_date', nullable: true })
  cinClosureDate!: string | null;

  @Column('varchar', { name: 'reason_for_closure', length: 4, nullable: true })
  reasonForClosure!: string | null;
}

@Entity({ name: 'assessment' })
export class SocialCareAssessment {
  @PrimaryGeneratedColumn('uuid', { name: 'assessment_id' })
  assessmentId!: string;

  @Index('IDX_social_care_assessment_referral')
  @Column('uuid', { name: 'referral_id' })
  referralId!: string;

  @ManyToOne(() => SocialCareReferral, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id' })
  referral?: SocialCareReferral;

  @Column('date', { name: 'assessment_actual_start_date' })
  assessmentActualStartDate!: string;

  @Column('date', { name: 'assessment_authorisation_date', nullable: true })
  assessmentAuthorisationDate!: string | null;

  /** AssessmentFactors codes, e.g. `3A` domestic violence (child), `2B` drug misuse (parent). */
  @Column('simple-array', { name: 'assessment_factors' })
  assessmentFactors!: string[];
}

@Entity({ name: 'cin_plan' })
export class SocialCareCinPlan {
  @PrimaryGeneratedColumn('uuid', { name: 'cin_plan_id' })
  cinPlanId!: string;

  @Index('IDX_social_care_cin_plan_referral')
  @Column('uuid', { name: 'referral_id' })
  referralId!: string;

  @ManyToOne(() => SocialCareReferral, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id' })
  referral?: SocialCareReferral;

  @Column('date', { name: 'cin_plan_start_date' })
  cinPlanStartDate!: string;

  @Column('date', { name: 'cin_plan_end_date', nullable: true })
  cinPlanEndDate!: string | null;
}

@Entity({ name: 'section47' })
export class SocialCareSection47 {
  @PrimaryGeneratedColumn('uuid', { name: 'section47_id' })
  section47Id!: string;

  @Index('IDX_social_care_section47_referral')
  @Column('uuid', { name: 'referral_id' })
  referralId!: string;

  @ManyToOne(() => SocialCareReferral, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id' })
  referral?: SocialCareReferral;

  @Column('date', { name: 's47_actual_start_date' })
  s47ActualStartDate!: string;

  @Column('date', { name: 'initial_cpc_target', nullable: true })
  initialCpcTarget!: string | null;

  /** DateOfInitialCPC (ICPCdate). */
  @Column('date', { name: 'icpc_date', nullable: true })
  icpcDate!: string | null;

  @Column('boolean', { name: 'icpc_not_required', default: false })
  icpcNotRequired!: boolean;
}

@Entity({ name: 'child_protection_plan' })
export class SocialCareChildProtectionPlan {
  @PrimaryGeneratedColumn('uuid', { name: 'cpp_id' })
  cppId!: string;

  @Index('IDX_social_care_cpp_referral')
  @Column('uuid', { name: 'referral_id' })
  referralId!: string;

  @ManyToOne(() => SocialCareReferral, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id' })
  referral?: SocialCareReferral;

  @Column('date', { name: 'cpp_start_date' })
  cppStartDate!: string;

  @Column('date', { name: 'cpp_end_date', nullable: true })
  cppEndDate!: string | null;

  /** InitialCategoryOfAbuse: NEG, PHY, EMO, SAB or MUL. */
  @Column('varchar', { name: 'initial_category_of_abuse', length: 3 })
  initialCategoryOfAbuse!: string;

  @Column('varchar', { name: 'latest_category_of_abuse', length: 3, nullable: true })
  latestCategoryOfAbuse!: string | null;
}

/** SSDA903 looked-after episode. */
@Entity({ name: 'looked_after_episode' })
export class SocialCareLookedAfterEpisode {
  @PrimaryGeneratedColumn('uuid', { name: 'episode_id' })
  episodeId!: string;

  @Index('IDX_social_care_lac_child')
  @Column('varchar', { name: 'la_child_id', length: 15 })
  laChildId!: string;

  @ManyToOne(() => SocialCareChild, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'la_child_id' })
  child?: SocialCareChild;

  /** DECOM: date the episode of care commenced. */
  @Column('date', { name: 'period_start' })
  periodStart!: string;

  @Column('date', { name: 'period_end', nullable: true })
  periodEnd!: string | null;

  /** LS: legal status, e.g. `C2` full care order, `V2` section 20, `E1` placement order. */
  @Column('varchar', { name: 'legal_status', length: 2 })
  legalStatus!: string;
}

export const SocialCareSourceEntities = [
  SocialCareChild,
  SocialCareReferral,
  SocialCareAssessment,
  SocialCareCinPlan,
  SocialCareSection47,
  SocialCareChildProtectionPlan,
  SocialCareLookedAfterEpisode,
];
