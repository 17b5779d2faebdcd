import { z } from 'zod';
import { AGENCIES } from '@mash/contracts';
import { CONSENT_REASONS } from '@mash/policy';

/** Who gave (or refused) consent for a person, as partnerships' consent forms ask it. */
export const CONSENT_GIVERS = [
  'self',
  'parent-with-parental-responsibility',
  'other-with-parental-responsibility',
] as const;

export const ConsentSchema = z
  .object({
    status: z.enum(['given', 'refused', 'not-sought']),
    // The reasons agreements can accept for sharing without consent: one vocabulary.
    reason: z.enum(CONSENT_REASONS).optional(),
    justification: z.string().trim().min(10).max(5000),
    /** Whose consent (a member of the case); without it, the subject's. */
    memberId: z.uuid().optional(),
    /** Which agencies the decision covers; without it, every agency. */
    agencies: z.array(z.enum(AGENCIES)).min(1).optional(),
    givenBy: z.enum(CONSENT_GIVERS).optional(),
    /** Whether the purpose was explained and understood. */
    understood: z.boolean().optional(),
  })
  .strict();
export type ConsentDto = z.infer<typeof ConsentSchema>;
