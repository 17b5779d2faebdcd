import { z } from 'zod';
import { UuidSchema } from '../common/ids';
import { CONFIDENCE_LEVELS, CONTRIBUTION_KINDS } from './contribution.entity';

export const ContributionSchema = z
  .object({
    kind: z.enum(CONTRIBUTION_KINDS),
    text: z.string().trim().min(1).max(10_000),
    /** The household member it is about; absent for the child the case is about. */
    memberId: UuidSchema.optional(),
    /** How sure the contributor is: `low`, `medium` or `high`. */
    confidence: z.enum(CONFIDENCE_LEVELS).optional(),
  })
  .strict();
export type ContributionDto = z.infer<typeof ContributionSchema>;
