/**
 * Single mutations of a valid value — drop a required property, wrong type, extra property,
 * pattern or format violation, oversized string or array, wrong constant — each with the JSON
 * Pointer at which a validator must report it.
 */
import fc from 'fast-check';
import type { Schema, SchemaSet } from './schemas.js';

/** JSON Pointer escaping of one property name (RFC 6901). */
export function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A place in a valid value: its JSON Pointer, the schema there, and how to reach it. */
export interface Site {
  pointer: string;
  keys: (string | number)[];
  schema: Schema;
  value: unknown;
}

/** Every place in `value` (valid against `schema`), root first. */
export function sites(set: SchemaSet, schema: Schema, value: unknown, keys: (string | number)[] = []): Site[] {
  const s = set.resolve(schema);
  const here: Site = { pointer: keys.map((key) => `/${pointerToken(String(key))}`).join(''), keys, schema: s, value };
  const found = [here];
  if (s.type === 'object' && isObject(value)) {
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      if (Object.hasOwn(value, name)) found.push(...sites(set, property, value[name], [...keys, name]));
    }
  } else if (s.type === 'array' && Array.isArray(value) && s.items !== undefined) {
    value.forEach((item, index) => found.push(...sites(set, s.items as Schema, item, [...keys, index])));
  }
  return found;
}

/** What a mutation did, and where the validator must complain. */
export interface Mutation {
  kind: 'drop-required' | 'wrong-type' | 'extra-property' | 'pattern' | 'oversize' | 'format' | 'const' | 'too-many-items';
  /** JSON Pointer every reported issue must have. */
  pointer: string;
  value: unknown;
}

/** Hostile property names for the extra-property mutation (JSON Pointer escaping, prototype keys). */
const EXTRA_NAMES = ['extra', '__proto__', 'constructor', 'prototype', 'toString', 'a/b', 'a~b', '~1', '', ' ', 'ünï', '😀', '\ud800'];

/** Dates that are not RFC 3339 date-times. */
const BAD_DATE_TIMES = ['now', '', '2025-13-01T00:00:00Z', '2025-02-30T00:00:00Z', '2025-01-32T00:00:00Z', '2025-01-06T25:00:00Z', '2025-01-06T12:60:00Z', '2025-01-06T12:00:00', '2025-01-06', '12:00:00Z', '2025/01/06T12:00:00Z', '+012025-01-06T12:00:00Z'];

/**
 * An arbitrary of one mutation of `value`: chooses a site where the mutation applies and
 * returns the mutated copy with the pointer at which the validator must report the problem.
 * Undefined entries (no applicable site) are filtered out by the caller.
 */
export function mutations(set: SchemaSet, schema: Schema, value: unknown): fc.Arbitrary<Mutation>[] {
  const all = sites(set, schema, value);
  const options: fc.Arbitrary<Mutation>[] = [];
  const objects = all.filter((site) => site.schema.type === 'object' && isObject(site.value));
  const dropSites = objects.flatMap((site) => (site.schema.required ?? []).map((name) => ({ site, name })));
  if (dropSites.length > 0) {
    options.push(
      fc.constantFrom(...dropSites).map(({ site, name }) => {
        const copy = replaceAt(value, site.keys, (node) => {
          const next = { ...(node as Record<string, unknown>) };
          delete next[name];
          return next;
        });
        return { kind: 'drop-required' as const, pointer: `${site.pointer}/${pointerToken(name)}`, value: copy };
      }),
    );
  }
  const closed = objects.filter((site) => site.schema.additionalProperties === false);
  if (closed.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...closed), fc.constantFrom(...EXTRA_NAMES), fc.jsonValue({ maxDepth: 2 })).filter(([site, name]) => !Object.hasOwn(site.schema.properties ?? {}, name)).map(([site, name, extra]) => {
        const copy = replaceAt(value, site.keys, (node) => {
          const next = { ...(node as Record<string, unknown>) };
          // defineProperty: `__proto__` must become an own key, as JSON.parse makes it.
          Object.defineProperty(next, name, { value: extra, enumerable: true, writable: true, configurable: true });
          return next;
        });
        return { kind: 'extra-property' as const, pointer: `${site.pointer}/${pointerToken(name)}`, value: copy };
      }),
    );
  }
  options.push(
    fc.tuple(fc.constantFrom(...all), fc.nat()).map(([site, pick]) => {
      const wrong = wrongTypeValues(set, site.schema);
      return { kind: 'wrong-type' as const, pointer: site.pointer, value: replaceAt(value, site.keys, () => wrong[pick % wrong.length]) };
    }),
  );
  const patterned = all.filter((site) => patternsOf(set, site.schema).length > 0);
  if (patterned.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...patterned), fc.string({ unit: 'binary', maxLength: 20 })).map(([site, text]) => {
        const regexes = patternsOf(set, site.schema);
        // Made to fail every pattern (and anyOf branch): a leading space matches none of them.
        const bad = regexes.some((regex) => regex.test(text)) ? ` ${text}` : text;
        const fixed = regexes.some((regex) => regex.test(bad)) ? '!' : bad;
        return { kind: 'pattern' as const, pointer: site.pointer, value: replaceAt(value, site.keys, () => fixed) };
      }),
    );
  }
  const bounded = all.filter((site) => site.schema.type === 'string' && site.schema.maxLength !== undefined);
  if (bounded.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...bounded), fc.integer({ min: 1, max: 50 }), fc.constantFrom('a', '😀', '\ud800')).map(([site, over, char]) => {
        const max = site.schema.maxLength as number;
        // Characters the pattern (if any) accepts; an astral char counts once, like Ajv counts.
        const unit = site.schema.pattern !== undefined ? 'a' : char;
        return { kind: 'oversize' as const, pointer: site.pointer, value: replaceAt(value, site.keys, () => unit.repeat(max + over)) };
      }),
    );
  }
  const dated = all.filter((site) => site.schema.format === 'date-time');
  if (dated.length > 0) {
    options.push(fc.tuple(fc.constantFrom(...dated), fc.constantFrom(...BAD_DATE_TIMES)).map(([site, bad]) => ({ kind: 'format' as const, pointer: site.pointer, value: replaceAt(value, site.keys, () => bad) })));
  }
  const constants = all.filter((site) => site.schema.const !== undefined || site.schema.enum !== undefined);
  if (constants.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...constants), fc.string({ maxLength: 12 })).map(([site, text]) => {
        const allowed = site.schema.const !== undefined ? [site.schema.const] : (site.schema.enum ?? []);
        const bad = allowed.includes(text) ? `${text}_x` : text;
        return { kind: 'const' as const, pointer: site.pointer, value: replaceAt(value, site.keys, () => bad) };
      }),
    );
  }
  const arrays = all.filter((site) => site.schema.type === 'array' && site.schema.maxItems !== undefined && site.schema.items !== undefined);
  if (arrays.length > 0) {
    options.push(
      fc.constantFrom(...arrays).chain((site) =>
        fc.array(set.arbitrary(site.schema.items as Schema), { minLength: (site.schema.maxItems as number) + 1, maxLength: (site.schema.maxItems as number) + 3 }).map((items) => ({
          kind: 'too-many-items' as const,
          pointer: site.pointer,
          value: replaceAt(value, site.keys, () => items),
        })),
      ),
    );
  }
  return options;
}

/** The regexes a string site must match: its own pattern, or one per anyOf branch. */
function patternsOf(set: SchemaSet, schema: Schema): RegExp[] {
  if (schema.pattern !== undefined) return [new RegExp(schema.pattern, 'u')];
  if (schema.anyOf !== undefined) {
    const branches = schema.anyOf.map((branch) => set.resolve(branch));
    if (branches.every((branch) => branch.pattern !== undefined)) return branches.map((branch) => new RegExp(branch.pattern as string, 'u'));
  }
  return [];
}

/** JSON values whose type the schema does not allow. */
function wrongTypeValues(set: SchemaSet, schema: Schema): unknown[] {
  const types = schema.anyOf !== undefined ? schema.anyOf.map((branch) => set.resolve(branch).type) : [schema.type];
  const candidates: Array<[string, unknown]> = [
    ['string', 'not-the-right-type'],
    ['number', 42],
    ['number', 1e308 * 10],
    ['boolean', true],
    ['null', null],
    ['object', {}],
    ['array', []],
  ];
  return candidates.filter(([type]) => !types.includes(type)).map(([, value]) => value);
}

/** A copy of `root` with the node at `keys` replaced by `replace(node)`; ancestors are copied. */
export function replaceAt(root: unknown, keys: readonly (string | number)[], replace: (node: unknown) => unknown): unknown {
  if (keys.length === 0) return replace(root);
  const [head, ...rest] = keys as [string | number, ...(string | number)[]];
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = replaceAt(root[head as number], rest, replace);
    return copy;
  }
  const copy = { ...(root as Record<string, unknown>) };
  copy[head as string] = replaceAt((root as Record<string, unknown>)[head as string], rest, replace);
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
