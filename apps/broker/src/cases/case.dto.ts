import { z } from 'zod';
import { AGENCIES, MEMBER_RELATIONSHIPS, SubjectCriteriaSchema } from '@mash/contracts';

/**
 * A household member other than the subject: who they are to the child and the same details as
 * a referral's subject (the search criteria an agency's adapter matches on).
 */
export const MemberSchema = SubjectCriteriaSchema.extend({
  relationship: z.enum(MEMBER_RELATIONSHIPS),
}).strict();
export type MemberDto = z.infer<typeof MemberSchema>;

/**
 * What an analyst adds to a member to settle a possible match: an identifier (merged with those
 * already held), a previous family name (added to those held), or the sex, postcode or address
 * the agency is likely to hold (each replaces the one held). Name and date of birth are who the
 * person is and are not changed here.
 */
export const MemberUpdateSchema = z
  .object({
    identifiers: SubjectCriteriaSchema.shape.identifiers,
    previousFamilyNames: SubjectCriteriaSchema.shape.previousFamilyNames,
    sex: SubjectCriteriaSchema.shape.sex,
    postcode: SubjectCriteriaSchema.shape.postcode,
    address: SubjectCriteriaSchema.shape.address,
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'name at least one detail to add',
  });
export type MemberUpdateDto = z.infer<typeof MemberUpdateSchema>;

export const ReferralSchema = z
  .object({
    subject: SubjectCriteriaSchema,
    referrer: z
      .object({
        agency: z.enum([...AGENCIES, 'other']),
        name: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    concerns: z
      .array(z.string().regex(/^[a-z][a-z0-9-]{1,63}$/))
      .min(1)
      .max(20),
    narrative: z.string().max(20_000).optional(),
    /** The rest of the household, known at referral; more can be added to the case later. */
    members: z.array(MemberSchema).max(20).optional(),
    /** When the referral reached the hub; defaults to now. Deadlines run from it. */
    receivedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type ReferralDto = z.infer<typeof ReferralSchema>;

export const CaseListQuerySchema = z
  .object({
    status: z.enum(['open', 'signposted', 'closed']).optional(),
    rag: z.enum(['red', 'amber', 'green']).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export type CaseListQuery = z.infer<typeof CaseListQuerySchema>;

export const RerateSchema = z
  .object({
    rag: z.enum(['red', 'amber', 'green']),
    rationale: z.string().trim().min(10).max(5000),
  })
  .strict();
export type RerateDto = z.infer<typeof RerateSchema>;
