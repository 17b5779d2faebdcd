import { z } from 'zod';
import { AGENCIES, MEMBER_RELATIONSHIPS, PURPOSES } from '@mash/contracts';
import { LEGAL_GATEWAY_CODES, legalGateway, type LegalGatewayCode } from './gateways';
import { AGREEMENT_STATUSES, CONSENT_REASONS, MASK_KINDS, RAGS } from './vocabulary';

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const name = (what: string) =>
  z
    .string()
    .regex(
      NAME_PATTERN,
      `${what} must start with a letter and use only letters, digits, '-' or '_' (at most 64)`,
    );

export const LegalGatewayCodeSchema = z.enum(LEGAL_GATEWAY_CODES, {
  error: `unknown legal gateway; expected one of ${LEGAL_GATEWAY_CODES.join(', ')}`,
});
export const MaskKindSchema = z.enum(MASK_KINDS);
export const RagSchema = z.enum(RAGS);
export const ConsentReasonSchema = z.enum(CONSENT_REASONS);

/** `include`, `exclude`, or `{ mask: <kind> }`. Fields a category does not list are excluded. */
export const FieldRuleSchema = z.union(
  [z.literal('include'), z.literal('exclude'), z.strictObject({ mask: MaskKindSchema })],
  {
    error: `expected include, exclude or { mask: ${MASK_KINDS.join(' | ')} }`,
  },
);
export type FieldRule = z.infer<typeof FieldRuleSchema>;

export const CategoryRuleSchema = z
  .strictObject({
    description: z.string().max(500).optional(),
    /** Minimum level of need (1-4) the case must have reached for this category to be shared. */
    minimumLevel: z.int().min(1).max(4).optional(),
    /** Minimum RAG rating (green < amber < red) the case must have for this category to be shared. */
    minimumRag: RagSchema.optional(),
    fields: z.record(name('a field name'), FieldRuleSchema),
  })
  .meta({
    description:
      'A data category that may leave the agency; both thresholds must be met when both are set.',
  });
export type CategoryRule = z.infer<typeof CategoryRuleSchema>;

export const ConsentRuleSchema = z.discriminatedUnion('rule', [
  z
    .strictObject({ rule: z.literal('required') })
    .meta({ description: 'Nothing is shared unless consent was given.' }),
  z
    .strictObject({
      rule: z.literal('not-required-with-reason'),
      allowedReasons: z.array(ConsentReasonSchema).min(1),
    })
    .meta({
      description: 'Sharing without consent is allowed when one of the listed reasons is recorded.',
    }),
  z.strictObject({ rule: z.literal('manager-approval-required') }).meta({
    description: 'Sharing without consent needs a recorded reason and a manager’s approval.',
  }),
]);
export type ConsentRule = z.infer<typeof ConsentRuleSchema>;

export const HouseholdRuleSchema = z
  .strictObject({
    /** Which of the child's household may be asked about, besides the child. */
    relationships: z.array(z.enum(MEMBER_RELATIONSHIPS)).min(1),
    /**
     * The purpose's categories that may be shared about an adult (18 or over on the day asked);
     * a child in the household gets every category the subject would. Empty: nothing about adults.
     */
    adultCategories: z.array(name('a category name')).default([]),
    /**
     * `per-person` (default): each person's own consent decision governs what is shared about
     * them, so one member's refusal does not stop asking about the others. `household`: a refusal
     * by any member stops asking about everyone for this purpose unless it is overridden.
     */
    consentScope: z.enum(['per-person', 'household']).default('per-person'),
  })
  .meta({
    description:
      'Who in the child’s household the agency may be asked about for this purpose, and what may be shared about adults. Absent: only the child the case is about.',
  });
export type HouseholdRule = z.infer<typeof HouseholdRuleSchema>;

export const PurposeRuleSchema = z.strictObject({
  /** The gateways this purpose relies on; a subset of the agreement's. Defaults to all of them. */
  legalGateways: z.array(LegalGatewayCodeSchema).min(1).optional(),
  /** Overrides the agreement's consent rule for this purpose. */
  consent: ConsentRuleSchema.optional(),
  /** Overrides the agreement's retention for this purpose. */
  retentionDays: z.int().min(1).max(36500).optional(),
  /** The analyst must record a justification even when consent was given. */
  justificationRequired: z.boolean().optional(),
  categories: z.record(name('a category name'), CategoryRuleSchema),
  household: HouseholdRuleSchema.optional(),
});
export type PurposeRule = z.infer<typeof PurposeRuleSchema>;

export const SignatorySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.string().trim().min(1).max(200),
  organisation: z.string().trim().min(1).max(200),
  signedAt: z.iso.datetime({ offset: true }),
});
export type Signatory = z.infer<typeof SignatorySchema>;

const isoDate = z.iso.date();

export const AgreementVersionSchema = z
  .strictObject({
    /** The agreement's id, shared by all its versions. */
    id: z.guid(),
    version: z.int().min(1),
    partnership: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'partnership must be a lowercase slug'),
    /** The providing agency: the one whose data leaves under this agreement. */
    agency: z.enum(AGENCIES),
    title: z.string().trim().min(1).max(300).optional(),
    legalGateways: z.array(LegalGatewayCodeSchema).min(1),
    consent: ConsentRuleSchema,
    retentionDays: z.int().min(1).max(36500),
    purposes: z.partialRecord(z.enum(PURPOSES), PurposeRuleSchema),
    /** First day in force (inclusive, a London day: from 00:00 GMT or BST). */
    effectiveFrom: isoDate,
    /** Last day in force (inclusive, a London day); absent means open-ended. */
    effectiveTo: isoDate.optional(),
    reviewDate: isoDate,
    status: z.enum(AGREEMENT_STATUSES),
    signatories: z.array(SignatorySchema),
  })
  .superRefine((a, ctx) => {
    if (a.effectiveTo !== undefined && a.effectiveTo < a.effectiveFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['effectiveTo'],
        message: 'must not be before effectiveFrom',
      });
    }
    if (a.status !== 'draft' && a.signatories.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['signatories'],
        message: `an agreement with status ${a.status} must be signed by at least one signatory`,
      });
    }
    const gateways = new Set<string>(a.legalGateways);
    const kinds = new Set(a.legalGateways.map((c) => legalGateway(c).kind));
    if (!kinds.has('uk-gdpr-article-6')) {
      ctx.addIssue({
        code: 'custom',
        path: ['legalGateways'],
        message: 'must include a UK GDPR Article 6 basis',
      });
    }
    if (kinds.has('uk-gdpr-article-9') && !kinds.has('dpa-2018-condition')) {
      ctx.addIssue({
        code: 'custom',
        path: ['legalGateways'],
        message: 'UK GDPR Article 9(2)(g) needs a DPA 2018 Schedule 1 condition',
      });
    }
    const purposes = Object.entries(a.purposes);
    if (purposes.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['purposes'],
        message: 'must cover at least one purpose',
      });
    }
    for (const [purpose, rule] of purposes) {
      if (!rule) continue;
      rule.household?.adultCategories.forEach((category, i) => {
        if (!(category in rule.categories)) {
          ctx.addIssue({
            code: 'custom',
            path: ['purposes', purpose, 'household', 'adultCategories', i],
            message: `${category} is not among this purpose's categories (${Object.keys(rule.categories).join(', ')})`,
          });
        }
      });
      rule.legalGateways?.forEach((code, i) => {
        if (!gateways.has(code)) {
          ctx.addIssue({
            code: 'custom',
            path: ['purposes', purpose, 'legalGateways', i],
            message: `${code} is not among the agreement's legalGateways`,
          });
        }
      });
    }
  })
  .meta({
    title: 'Data-sharing agreement version',
    description:
      'One version of a MASH data-sharing agreement: what one agency may share, for which purposes, under which legal gateways. Fields not listed are never shared.',
  });

export type AgreementVersion = z.infer<typeof AgreementVersionSchema>;
export type { LegalGatewayCode };

/** JSON Schema (draft 2020-12) of an agreement version, generated from the zod schema. */
export function agreementJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(AgreementVersionSchema, { target: 'draft-2020-12', io: 'input' }) as Record<
    string,
    unknown
  >;
}

/** The agreement JSON Schema, as committed in libs/policy/agreement.schema.json. */
export const AGREEMENT_JSON_SCHEMA: Readonly<Record<string, unknown>> = agreementJsonSchema();
