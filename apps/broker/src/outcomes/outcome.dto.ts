import { z } from 'zod';

export const OutcomeSchema = z
  .object({
    outcome: z.enum([
      'nfa',
      'early-help',
      's17-assessment',
      's47-strategy',
      'police-action',
      'other',
    ]),
    rationale: z.string().trim().min(10).max(10_000),
    /** Close the case with this outcome (starts the retention clock). Default true. */
    close: z.boolean().default(true),
  })
  .strict();
export type OutcomeDto = z.infer<typeof OutcomeSchema>;
