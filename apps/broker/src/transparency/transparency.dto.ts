import { z } from 'zod';
import { AGENCIES } from '@mash/contracts';

const agency = `(${AGENCIES.join('|')})`;
/** `agency:<agency>`, `category:<agency>:<category>` or `section:<referral|consent|decision>`. */
export const WITHHOLD_ITEM = new RegExp(
  `^(agency:${agency}|category:${agency}:[a-z][a-zA-Z0-9_-]{0,63}|section:(referral|consent|decision))$`,
);

export const WithholdSchema = z
  .object({
    item: z
      .string()
      .regex(
        WITHHOLD_ITEM,
        'expected agency:<agency>, category:<agency>:<category> or section:<referral|consent|decision>',
      ),
    reason: z.string().trim().min(10).max(5000),
  })
  .strict();
export type WithholdDto = z.infer<typeof WithholdSchema>;

export const ReportQuerySchema = z
  .object({
    format: z.enum(['json', 'html']).optional(),
    /** The household member the report is about; the child referred when absent. */
    member: z.uuid().optional(),
  })
  .strict();
export type ReportQuery = z.infer<typeof ReportQuerySchema>;
