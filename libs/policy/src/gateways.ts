/** Kinds of legal basis; an agreement needs an Article 6 basis, and Article 9 needs a DPA 2018 condition. */
export type GatewayKind =
  'uk-gdpr-article-6' | 'uk-gdpr-article-9' | 'dpa-2018-condition' | 'statutory-gateway';

export interface LegalGateway {
  readonly code: string;
  readonly kind: GatewayKind;
  /** Short label, as an analyst would cite it. */
  readonly label: string;
  /** One plain-English sentence on what it allows. */
  readonly description: string;
}

const catalogue = [
  {
    code: 'uk-gdpr-art-6-1-e',
    kind: 'uk-gdpr-article-6',
    label: 'UK GDPR Art 6(1)(e)',
    description:
      'Processing is necessary for a task carried out in the public interest or in the exercise of official authority.',
  },
  {
    code: 'uk-gdpr-art-9-2-g',
    kind: 'uk-gdpr-article-9',
    label: 'UK GDPR Art 9(2)(g)',
    description:
      'Special category data may be processed where necessary for reasons of substantial public interest.',
  },
  {
    code: 'dpa-2018-sch-1-para-18',
    kind: 'dpa-2018-condition',
    label: 'DPA 2018 Sch 1 para 18 (safeguarding of children and individuals at risk)',
    description:
      'Substantial public interest condition for protecting a child from neglect or harm, allowing processing without consent where consent cannot be given, cannot reasonably be obtained, or would prejudice that protection.',
  },
  {
    code: 'cda-1998-s115',
    kind: 'statutory-gateway',
    label: 'Crime and Disorder Act 1998 s115',
    description:
      'Any person may disclose information to a relevant authority where necessary for the purposes of the Act, including reducing crime and disorder.',
  },
  {
    code: 'ca-1989-s17',
    kind: 'statutory-gateway',
    label: 'Children Act 1989 s17',
    description:
      'The local authority’s duty to safeguard and promote the welfare of children in need in its area.',
  },
  {
    code: 'ca-1989-s47',
    kind: 'statutory-gateway',
    label: 'Children Act 1989 s47',
    description:
      'The local authority’s duty to make enquiries where a child is suspected to be suffering, or likely to suffer, significant harm; other agencies must assist.',
  },
  {
    code: 'ca-2004-s10',
    kind: 'statutory-gateway',
    label: 'Children Act 2004 s10',
    description:
      'Co-operation between the local authority and its partners to improve the well-being of children.',
  },
  {
    code: 'ca-2004-s11',
    kind: 'statutory-gateway',
    label: 'Children Act 2004 s11',
    description:
      'Named bodies must make arrangements to safeguard and promote the welfare of children when discharging their functions.',
  },
] as const satisfies readonly LegalGateway[];

export type LegalGatewayCode = (typeof catalogue)[number]['code'];

/** Every legal gateway an agreement may cite, in citation order. */
export const LEGAL_GATEWAYS: readonly LegalGateway[] = catalogue;
export const LEGAL_GATEWAY_CODES = catalogue.map((g) => g.code) as [
  LegalGatewayCode,
  ...LegalGatewayCode[],
];

const byCode = new Map<string, LegalGateway>(catalogue.map((g) => [g.code, g]));

export function legalGateway(code: LegalGatewayCode): LegalGateway {
  // Codes are validated against the catalogue by the schema, so this lookup cannot miss.
  return byCode.get(code)!;
}
