import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which broker instance runs a once-per-interval job's pass, until when. */
@Entity({ name: 'job_claim' })
export class JobClaimEntity {
  @PrimaryColumn('text')
  name!: string;

  @Column('text')
  holder!: string;

  @Column('timestamptz', { name: 'claimed_until' })
  claimedUntil!: Date;
}
