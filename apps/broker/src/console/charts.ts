/**
 * Server-rendered bar charts: plain SVG, no script, drawn from counts only. Each chart is an image
 * with a text title; the page shows the same figures in a table beside it for screen readers and
 * for anyone who would rather read.
 */
export interface Bar {
  label: string;
  value: number;
  /** A modifier for the bar's colour (`red`, `amber`, `green`). */
  tone?: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function barChart(title: string, bars: Bar[], width = 640): string {
  const rowHeight = 36;
  const labelWidth = 220;
  const valueWidth = 60;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = width - labelWidth - valueWidth;
  const height = Math.max(rowHeight, bars.length * rowHeight);
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight;
      const w = Math.round((b.value / max) * plot);
      const tone = b.tone ? ` mash-chart__bar--${escape(b.tone)}` : '';
      return (
        `<text class="mash-chart__label" x="0" y="${y + 23}">${escape(b.label)}</text>` +
        `<rect class="mash-chart__bar${tone}" x="${labelWidth}" y="${y + 6}" width="${w}" height="${rowHeight - 12}"></rect>` +
        `<text class="mash-chart__label" x="${labelWidth + w + 8}" y="${y + 23}">${b.value}</text>`
      );
    })
    .join('');
  return `<svg class="mash-chart" role="img" aria-label="${escape(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${escape(title)}</title>${rows}</svg>`;
}
