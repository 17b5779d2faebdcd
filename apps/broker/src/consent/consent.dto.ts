import { z } from 'zod';
import { CONSENT_REASONS } from '@mash/policy';

export const ConsentSchema = z
  .object({
    status: z.enum(['given', 'refused', 'not-sought']),
    // The reasons agreements can accept for sharing without consent: one vocabulary.
    reason: z.enum(CONSENT_REASONS).optional(),
    justification: z.string().trim().min(10).max(5000),
  })
  .strict();
export type ConsentDto = z.infer<typeof ConsentSchema>;
