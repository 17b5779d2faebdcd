import type { AuditEventInput } from '@mash/audit';
import type { Transactions, Tx } from '../common/transactions';
import type { AuditService } from './audit.service';

/** What was delivered to which agency, for the audit entry its acknowledgement writes. */
export interface Delivered {
  /** The audit action, `case.outcome.delivered` or `case.action.delivered`. */
  action: string;
  partnership: string;
  caseId: string;
  agency: string;
  details: Record<string, unknown>;
}

/**
 * An agency's acknowledgement of something sent to it (an outcome, a meeting action), applied
 * once: `mark` sets it delivered unless it already was, and the audit entry (the agency as actor)
 * commits with it. `duplicate` when it was already delivered (a redelivered acknowledgement).
 */
export async function applyAcknowledgement(
  transactions: Transactions,
  audit: AuditService,
  mark: (tx: Tx) => Promise<boolean>,
  { action, partnership, caseId, agency, details }: Delivered,
): Promise<'delivered' | 'duplicate'> {
  const event: AuditEventInput = {
    partnership,
    actorType: 'agency',
    actorId: agency,
    action,
    outcome: 'success',
    caseId,
    agency,
    details,
  };
  const applied = await transactions.run(async (tx) => {
    if (!(await mark(tx))) return false;
    await audit.record(event, tx);
    return true;
  });
  return applied ? 'delivered' : 'duplicate';
}
