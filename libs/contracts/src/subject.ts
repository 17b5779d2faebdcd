import { z } from 'zod';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)),
    'expected a real calendar date, YYYY-MM-DD',
  );

export const IdentifiersSchema = z
  .object({
    nhsNumber: z.string().trim().min(1).max(20).optional(),
    upn: z.string().trim().min(1).max(20).optional(),
    pncId: z.string().trim().min(1).max(30).optional(),
    laChildId: z.string().trim().min(1).max(30).optional(),
  })
  .strict();
export type Identifiers = z.infer<typeof IdentifiersSchema>;

/** What the broker knows about the child it asks about: the search criteria. Personal data. */
export const SubjectCriteriaSchema = z
  .object({
    givenName: z.string().trim().min(1).max(100),
    familyName: z.string().trim().min(1).max(100),
    dateOfBirth: isoDate,
    sex: z.enum(['female', 'male', 'unknown']).optional(),
    postcode: z.string().trim().min(2).max(10).optional(),
    address: z.string().trim().min(1).max(300).optional(),
    identifiers: IdentifiersSchema.optional(),
    /**
     * Surnames the person was known by before (a child who took a step-parent's name, a maiden
     * name): an agency whose records predate the change still holds one of them, so its adapter
     * also tries each as the family name. Sealed with the rest of the criteria, never in clear.
     */
    previousFamilyNames: z.array(z.string().trim().min(1).max(100)).min(1).max(5).optional(),
  })
  .strict();
export type SubjectCriteria = z.infer<typeof SubjectCriteriaSchema>;
