import type { AuditEventInput } from '@mash/audit';
import type { Transactions, Tx } from '../common/transactions';
import type { AuditService } from './audit.service';

/**
 * An agency's acknowledgement of something sent to it (an outcome, a meeting action), applied
 * once: `mark` sets it delivered unless it already was, and the audit entry `event` commits with
 * it. `duplicate` when it was already delivered (a redelivered acknowledgement).
 */
export async function applyAcknowledgement(
  transactions: Transactions,
  audit: AuditService,
  mark: (tx: Tx) => Promise<boolean>,
  event: AuditEventInput,
): Promise<'delivered' | 'duplicate'> {
  const applied = await transactions.run(async (tx) => {
    if (!(await mark(tx))) return false;
    await audit.record(event, tx);
    return true;
  });
  return applied ? 'delivered' : 'duplicate';
}
