import { Module } from '@nestjs/common';
import { JobClaimRepository } from './job-claim.repository';
import { Transactions } from './transactions';

/** The kernel's injectables: one transaction helper, and the claims that run a job once per interval. */
@Module({
  providers: [Transactions, JobClaimRepository],
  exports: [Transactions, JobClaimRepository],
})
export class CommonModule {}
