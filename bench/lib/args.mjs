/** Command-line options of the bench scripts, with defaults and range checks. */
import { parseArgs } from 'node:util';

/**
 * Parses `process.argv` against `spec` (`{ name: { type, default, min?, max? } }`, types
 * 'integer' | 'string' | 'boolean'). Throws TypeError/RangeError naming the option.
 */
export function options(spec, argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(spec).map(([name, { type }]) => [name, { type: type === 'boolean' ? 'boolean' : 'string' }])),
    strict: true,
  });
  const result = {};
  for (const [name, { type, default: fallback, min = -Infinity, max = Infinity }] of Object.entries(spec)) {
    const raw = values[name];
    if (raw === undefined) result[name] = fallback;
    else if (type === 'integer') {
      const value = Number(raw);
      if (!Number.isInteger(value)) throw new TypeError(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
      if (value < min || value > max) throw new RangeError(`--${name} must be between ${min} and ${max}, got ${value}`);
      result[name] = value;
    } else result[name] = raw;
  }
  return result;
}

/** Runs `main`, printing one line for a failure and exiting 1 (stack with BENCH_DEBUG=1). */
export function runMain(main) {
  main().catch((error) => {
    process.stderr.write(`bench: ${process.env.BENCH_DEBUG === '1' ? error.stack : error.message}\n`);
    process.exit(1);
  });
}
