/**
 * A small dependency-free SVG line chart with logarithmic axes (sizes grow by decades), points
 * with min–max whiskers, and optional dashed reference lines.
 */

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 1, 2, 5 × powers of ten covering [min, max]. */
function ticks(min, max) {
  const result = [];
  for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent++) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** exponent;
      if (value >= min * 0.999 && value <= max * 1.001) result.push(value);
    }
  }
  return result;
}

const label = (value) => (value >= 1000 ? `${value / 1000}k` : String(value));

/**
 * Renders `series` (`[{ name, color, dashed?, points: [{ x, y, lo?, hi? }] }]`) as an SVG
 * document string. Both axes are log10; x ticks at decades, y ticks at 1-2-5 steps, labelled by
 * `yTickLabel` (default: 1000 → "1k").
 */
export function lineChart({ title, xLabel, yLabel, series, yTickLabel = label, width = 640, height = 400 }) {
  const margin = { top: 40, right: 170, bottom: 50, left: 70 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y])).filter((y) => y > 0);
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...xs)));
  const xMax = Math.max(10 ** Math.ceil(Math.log10(Math.max(...xs))), xMin * 10);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = Math.max(10 ** Math.ceil(Math.log10(Math.max(...ys))), yMin * 10);
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (x) => margin.left + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW;
  const py = (y) => margin.top + plotH - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const f = (n) => n.toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="600">${escape(title)}</text>`,
  ];
  for (const x of ticks(xMin, xMax).filter((value) => Number.isInteger(Math.log10(value)))) {
    parts.push(`<line x1="${f(px(x))}" y1="${margin.top}" x2="${f(px(x))}" y2="${margin.top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${f(px(x))}" y="${margin.top + plotH + 18}" text-anchor="middle">${label(x)}</text>`);
  }
  for (const y of ticks(yMin, yMax)) {
    parts.push(`<line x1="${margin.left}" y1="${f(py(y))}" x2="${margin.left + plotW}" y2="${f(py(y))}" stroke="${Number.isInteger(Math.log10(y)) ? '#ccc' : '#eee'}"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${f(py(y) + 4)}" text-anchor="end">${yTickLabel(y)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escape(xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  series.forEach((s, index) => {
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(px(p.x))},${f(py(p.y))}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (!s.dashed) {
      for (const p of s.points) {
        if (p.lo !== undefined && p.hi !== undefined) parts.push(`<line x1="${f(px(p.x))}" y1="${f(py(p.lo))}" x2="${f(px(p.x))}" y2="${f(py(p.hi))}" stroke="${s.color}" stroke-width="1"/>`);
        parts.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3.5" fill="${s.color}"><title>${escape(`${s.name}: ${label(p.x)} → ${yTickLabel(p.y)}`)}</title></circle>`);
      }
    }
    const ly = margin.top + 10 + index * 20;
    const lx = margin.left + plotW + 14;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${lx + 28}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
