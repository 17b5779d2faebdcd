import { z } from 'zod';
import { AGENCIES, PURPOSES } from '@mash/contracts';

export const CreateQuerySchema = z
  .object({
    purpose: z.enum(PURPOSES),
    agencies: z.array(z.enum(AGENCIES)).min(1).max(AGENCIES.length).optional(),
    /** Required where the agreement asks for a justification; kept encrypted. */
    justification: z.string().trim().min(10).max(5000).optional(),
    /** Ask only about these people on the case (to ask again after adding what settles a match). */
    memberIds: z.array(z.uuid()).min(1).max(50).optional(),
  })
  .strict();
export type CreateQueryDto = z.infer<typeof CreateQuerySchema>;

/** An agency representative's answer to a possible match about one person. */
export const MatchResolutionSchema = z
  .object({
    decision: z.enum(['confirm', 'reject']),
    /** The household member; absent for the child the case is about. */
    memberId: z.uuid().optional(),
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();
export type MatchResolutionDto = z.infer<typeof MatchResolutionSchema>;
