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
