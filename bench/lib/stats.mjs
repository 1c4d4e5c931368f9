/** Small statistics helpers: every figure the bench reports is a distribution or a ratio. */

/** The `q` quantile (0..1) of sorted numbers, linearly interpolated. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** `{ median, min, max, p10, p90, n }` of a list of numbers (rounded to `digits` decimals). */
export function summarise(values, digits = 1) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const round = (value) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
  return {
    median: round(quantile(sorted, 0.5)),
    min: round(sorted[0]),
    max: round(sorted[sorted.length - 1]),
    p10: round(quantile(sorted, 0.1)),
    p90: round(quantile(sorted, 0.9)),
    n: sorted.length,
  };
}

/** `a / b`, rounded, or null when either is missing or b is 0. */
export function ratio(a, b, digits = 2) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? Number((a / b).toFixed(digits)) : null;
}

/** "median [min–max]" for tables. */
export function spread(summary, unit = '') {
  if (summary === undefined || summary.median === null) return '–';
  const fmt = (value) => (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(value));
  return summary.n > 1 ? `${fmt(summary.median)}${unit} [${fmt(summary.min)}–${fmt(summary.max)}]` : `${fmt(summary.median)}${unit}`;
}
