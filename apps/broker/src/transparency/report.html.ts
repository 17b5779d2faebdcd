import type { TransparencyReport } from './report';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A printable, self-contained HTML page of the report (no scripts, no external resources). */
export function renderTransparencyHtml(report: TransparencyReport): string {
  const e = escapeHtml;
  const parts: string[] = [];
  parts.push(`<h1>${e(report.title)}</h1>`, `<p>${e(report.introduction)}</p>`);
  if (report.referral)
    parts.push('<h2>Why the hub became involved</h2>', `<p>${e(report.referral.text)}</p>`);
  parts.push('<h2>Which services were asked</h2>');
  if (report.agencies.length === 0) parts.push('<p>No services were asked for information.</p>');
  for (const a of report.agencies) {
    parts.push(`<section><h3>${e(a.name)}</h3>`, `<p>${e(a.text)}</p>`);
    if (a.kindsOfInformation.length > 0) {
      parts.push(
        '<p>Kinds of information shared:</p><ul>',
        ...a.kindsOfInformation.map((k) => `<li>${e(k.description)}</li>`),
        '</ul>',
      );
    }
    if (a.lawfulBasis.length > 0) {
      parts.push(
        '<p>The law that allowed it:</p><ul>',
        ...a.lawfulBasis.map((g) => `<li><strong>${e(g.label)}</strong>: ${e(g.description)}</li>`),
        '</ul>',
      );
    }
    parts.push('</section>');
  }
  if (report.consent) parts.push('<h2>Your consent</h2>', `<p>${e(report.consent.text)}</p>`);
  if (report.decision) parts.push('<h2>What was decided</h2>', `<p>${e(report.decision.text)}</p>`);
  parts.push('<h2>How long the information is kept</h2>', `<p>${e(report.dataRetention)}</p>`);
  parts.push('<h2>Your rights</h2>', `<p>${e(report.yourRights)}</p>`);
  const generated = new Date(report.generatedAt).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  });
  parts.push(`<footer><p>Prepared on ${e(generated)}. Reference: ${e(report.caseId)}</p></footer>`);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(report.title)}</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; font-size: 12pt; line-height: 1.5; max-width: 42em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.5em; } h3 { font-size: 1.05em; }
section { border-left: 3px solid #ccc; padding-left: 1em; margin: 1em 0; }
footer { margin-top: 2em; font-size: 0.9em; color: #444; }
@media print { body { margin: 0; } section { break-inside: avoid; } }
</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}
