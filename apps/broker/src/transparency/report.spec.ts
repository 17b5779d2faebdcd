import { buildTransparencyReport, withholdableItems, type ReportInput } from './report';
import { escapeHtml, renderTransparencyHtml } from './report.html';

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    caseId: '0b7f1c1e-5d7a-4c55-9a43-1f1b8b1f6a10',
    receivedAt: new Date('2026-05-22T15:30:00Z'),
    referrerAgency: 'education',
    concerns: ['Neglect'],
    consent: { status: 'not-sought', reason: 'risk-of-significant-harm' },
    requests: [
      {
        agency: 'police',
        purpose: 'mash-triage',
        askedAt: new Date('2026-05-22T16:00:00Z'),
        status: 'match',
        legalGateways: ['uk-gdpr-art-6-1-e', 'cda-1998-s115'],
      },
      {
        agency: 'health',
        purpose: 'mash-triage',
        askedAt: new Date('2026-05-22T16:00:00Z'),
        status: 'match',
        legalGateways: ['uk-gdpr-art-6-1-e'],
      },
      {
        agency: 'education',
        purpose: 'mash-triage',
        askedAt: new Date('2026-05-22T16:00:00Z'),
        status: 'no-match',
        legalGateways: ['uk-gdpr-art-6-1-e'],
      },
    ],
    shared: {
      police: [{ category: 'warnings', description: 'Warning markers on the police system.' }],
      health: [
        { category: 'gp', description: 'GP registration.' },
        { category: 'attendances', description: 'Emergency department attendances.' },
      ],
    },
    decision: { outcome: 'early-help', decidedAt: new Date('2026-05-23T10:00:00Z'), closed: true },
    dataDeletedAt: null,
    withheld: new Set(),
    ...overrides,
  };
}

describe(buildTransparencyReport.name, () => {
  it('says in plain words who was asked, what kinds of information they shared, under which law, about consent and the decision', () => {
    const sut = buildTransparencyReport(input());
    expect(sut.agencies.map((a) => a.agency)).toEqual(['education', 'health', 'police']);
    const police = sut.agencies.find((a) => a.agency === 'police')!;
    expect(police.text).toContain('warning markers on the police system');
    expect(police.lawfulBasis.map((g) => g.label)).toEqual([
      'UK GDPR Art 6(1)(e)',
      'Crime and Disorder Act 1998 s115',
    ]);
    expect(sut.agencies.find((a) => a.agency === 'education')!.text).toContain(
      'did not share any information',
    );
    expect(sut.consent).toMatchObject({
      sought: false,
      text: expect.stringContaining('significant harm'),
    });
    expect(sut.decision!.text).toContain('early help');
    expect(sut.referral!.text).toContain('22 May 2026');
  });

  it('leaves out withheld agencies, categories and sections without a trace', () => {
    const sut = buildTransparencyReport(
      input({
        withheld: new Set([
          'agency:police',
          'category:health:gp',
          'section:consent',
          'section:decision',
          'section:referral',
        ]),
      }),
    );
    const text = JSON.stringify(sut);
    expect(text).not.toMatch(/police/i);
    expect(text).not.toContain('GP registration');
    expect(text).toContain('Emergency department attendances');
    expect(sut.consent).toBeUndefined();
    expect(sut.decision).toBeUndefined();
    expect(sut.referral).toBeUndefined();
    expect(text).not.toMatch(/withheld/i);
  });
});

describe(renderTransparencyHtml.name, () => {
  it('escapes every piece of text it prints', () => {
    const report = buildTransparencyReport(
      input({
        concerns: ['<script>alert("x")</script>'],
        shared: { health: [{ category: 'gp', description: '<img src=x onerror=alert(1)>' }] },
      }),
    );
    const sut = renderTransparencyHtml(report);
    expect(sut).not.toContain('<script>');
    expect(sut).not.toContain('<img');
    expect(sut).toContain('&#60;script&#62;');
    expect(sut).toContain('Which services were asked');
  });

  it('escapes the five HTML-significant characters and the backtick', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\``)).toBe(
      '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#96;',
    );
  });
});

describe(withholdableItems.name, () => {
  it('lists the agencies asked, the kinds each shared and the sections the report has', () => {
    expect(withholdableItems(input())).toEqual([
      'section:referral',
      'section:consent',
      'section:decision',
      'agency:education',
      'agency:health',
      'agency:police',
      'category:health:attendances',
      'category:health:gp',
      'category:police:warnings',
    ]);
    expect(withholdableItems(input({ decision: null }))).not.toContain('section:decision');
  });
});
