import { DataSource, type DataSourceOptions } from 'typeorm';
import { preparedStatementsPool } from '@mash/common';
import { brokerDatabaseUrl } from './config/config';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS } from '@mash/audit';
import { AdapterHeartbeatEntity } from './agencies/adapter-heartbeat.entity';
import { AuthFailureWindowEntity } from './auth/auth-failure.entity';
import { JobClaimEntity } from './common/job-claim.entity';
import { AgreementVersionEntity } from './agreements/agreement.entity';
import { AgencyEventReceiptEntity } from './audit/agency-event-receipt.entity';
import { CaseEntity } from './cases/case.entity';
import { CaseMemberEntity } from './cases/member.entity';
import { ConsentDecisionEntity } from './consent/consent.entity';
import { OutboxMessageEntity } from './outbox/outbox.entity';
import { CaseRatingChangeEntity } from './cases/rating.entity';
import { CapacityQueueEntity, CapacitySlotEntity } from './queries/capacity.entity';
import { CaseOutcomeEntity, OutcomeDeliveryEntity } from './outcomes/outcome.entity';
import { ContributionEntity } from './contributions/contribution.entity';
import { MeetingActionEntity, MeetingCaseEntity, MeetingEntity } from './meetings/meeting.entity';
import { TransparencyWithholdingEntity } from './transparency/withholding.entity';
import { QueryAgencyEntity, QueryEntity } from './queries/query.entity';
import { QueryEventEntity } from './queries/query-event.entity';
import { BrokerSchema1764160000000 } from './migrations/1764160000000-BrokerSchema';
import { CaseWorkflow1764300000000 } from './migrations/1764300000000-CaseWorkflow';
import { Hardening1764400000000 } from './migrations/1764400000000-Hardening';
import { HouseholdMembers1765100000000 } from './migrations/1765100000000-HouseholdMembers';
import { HouseholdQueries1765100000001 } from './migrations/1765100000001-HouseholdQueries';
import { PeopleAndMeetings1765200000000 } from './migrations/1765200000000-PeopleAndMeetings';
import { QueryEvents1765300000000 } from './migrations/1765300000000-QueryEvents';
import { ThresholdPublicationEntity, ThresholdVersionEntity } from './thresholds/threshold.entity';
import { Thresholds1765500000000 } from './migrations/1765500000000-Thresholds';
import { AgencyStatus1765600000000 } from './migrations/1765600000000-AgencyStatus';
import { SharedInstanceState1765600100000 } from './migrations/1765600100000-SharedInstanceState';
import { MatchResolution1765700000000 } from './migrations/1765700000000-MatchResolution';
import { HeartbeatReceivedAt1765800000000 } from './migrations/1765800000000-HeartbeatReceivedAt';
import { SharedCapacity1765900000000 } from './migrations/1765900000000-SharedCapacity';
import { CapacitySlotFunction1766000000000 } from './migrations/1766000000000-CapacitySlotFunction';
import { CapacitySlotBehindQueue1766200000000 } from './migrations/1766200000000-CapacitySlotBehindQueue';
import { CapacityTally1766300000000 } from './migrations/1766300000000-CapacityTally';

export const BROKER_ENTITIES = [
  CaseEntity,
  ConsentDecisionEntity,
  QueryEntity,
  QueryAgencyEntity,
  OutboxMessageEntity,
  AgreementVersionEntity,
  ...AUDIT_ENTITIES,
  CaseRatingChangeEntity,
  CapacityQueueEntity,
  CapacitySlotEntity,
  CaseOutcomeEntity,
  OutcomeDeliveryEntity,
  TransparencyWithholdingEntity,
  AgencyEventReceiptEntity,
  CaseMemberEntity,
  ContributionEntity,
  MeetingEntity,
  MeetingCaseEntity,
  MeetingActionEntity,
  QueryEventEntity,
  ThresholdVersionEntity,
  ThresholdPublicationEntity,
  AdapterHeartbeatEntity,
  AuthFailureWindowEntity,
  JobClaimEntity,
];

export const BROKER_MIGRATIONS = [
  ...AUDIT_MIGRATIONS,
  BrokerSchema1764160000000,
  CaseWorkflow1764300000000,
  Hardening1764400000000,
  HouseholdMembers1765100000000,
  HouseholdQueries1765100000001,
  PeopleAndMeetings1765200000000,
  QueryEvents1765300000000,
  Thresholds1765500000000,
  AgencyStatus1765600000000,
  SharedInstanceState1765600100000,
  MatchResolution1765700000000,
  HeartbeatReceivedAt1765800000000,
  SharedCapacity1765900000000,
  CapacitySlotFunction1766000000000,
  CapacitySlotBehindQueue1766200000000,
  CapacityTally1766300000000,
];

export function brokerDataSourceOptions(
  url: string,
  { preparedStatements = true }: { preparedStatements?: boolean } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    // Parameterised statements parsed and planned once per connection (DATABASE_PREPARED_STATEMENTS).
    extra: preparedStatementsPool(preparedStatements),
    entities: BROKER_ENTITIES,
    migrations: BROKER_MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // TypeORM's error logging prints query parameters, which can hold personal data.
    logging: false,
  };
}

/** For the TypeORM CLI and the migration check. */
export default new DataSource(brokerDataSourceOptions(brokerDatabaseUrl()));
