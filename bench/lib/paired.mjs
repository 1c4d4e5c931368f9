/**
 * Baseline vs candidate from alternated rounds: each figure as two distributions, the ratio of
 * their medians, and the distribution of the per-pair ratios (a round of each side measured back
 * to back), which cancels drift in machine load. Also the targets table's met/missed rows.
 */
import { ratio, summarise } from './stats.mjs';

/**
 * `rounds` are `{ round, target, ... }` rows; `value(row)` the figure of one row. Resolves
 * `{ baseline, candidate, ratio, paired }` — summaries, candidate/baseline of the medians, and the
 * summary of candidate/baseline per round index.
 */
export function compareRounds(rounds, value, { baseline, candidate, digits = 1 }) {
  const side = (name) => rounds.filter((row) => row.target === name);
  const baselineRows = side(baseline);
  const candidateRows = side(candidate);
  const baselineSummary = summarise(baselineRows.map(value), digits);
  const candidateSummary = summarise(candidateRows.map(value), digits);
  const byRound = new Map(baselineRows.map((row) => [row.round, value(row)]));
  const paired = candidateRows.filter((row) => byRound.has(row.round)).map((row) => value(row) / byRound.get(row.round));
  return {
    baseline: baselineSummary,
    candidate: candidateSummary,
    ratio: ratio(candidateSummary.median, baselineSummary.median),
    paired: summarise(paired, 2),
  };
}

/**
 * One row of the targets table: `value` (a ratio or an amount) against `limit`, met when at or
 * below it (or at or above it with `atLeast`).
 */
export function targetRow(name, value, limit, { atLeast = false, unit = '×', figure } = {}) {
  const met = Number.isFinite(value) ? (atLeast ? value >= limit : value <= limit) : false;
  return { name, target: `${atLeast ? '≥' : '≤'} ${limit.toLocaleString('en-US')}${unit}`, limit, value, figure: figure ?? `${value}${unit}`, met };
}

/** "1.07× [0.98–1.15]" for a comparison: ratio of medians, then the per-round ratios' min–max. */
export function ratioText(comparison) {
  const { ratio: value, paired } = comparison;
  if (value === null) return '–';
  return paired.n > 1 ? `${value}× [${paired.min}–${paired.max}]` : `${value}×`;
}
