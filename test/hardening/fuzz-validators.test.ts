/**
 * Property tests of the generated validators (`generated/src/validators.ts`) against the schemas
 * of `asyncapi.yaml`: arbitrary values never throw, values generated from a message's schema are
 * accepted, and single mutations are rejected with issues pointing at the mutated place.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as validators from '../../generated/src/validators.js';
import type { ValidationResult, Validator } from '../../generated/src/index.js';
import { mutations } from './support/schema-mutations.js';
import { loadMessageSchemas, SchemaSet, type MessageSchema } from './support/schemas.js';

/** Runs per property and message; the whole file stays within a few seconds. */
const RUNS = 150;
/** Fixed seed so a failure reproduces; override with FC_SEED to explore. */
const SEED = process.env['FC_SEED'] === undefined ? 20_250_106 : Number(process.env['FC_SEED']);

const { messages, schemas } = loadMessageSchemas();
const set = new SchemaSet(schemas);
const exported = validators as unknown as Record<string, Validator<unknown>>;

/** `chatMessage` → `validateChatMessage`; a name that clashes with a reserved word gets `Message` (`error` → `validateErrorMessage`). */
function validatorOf(message: MessageSchema): { name: string; validate: Validator<unknown> } {
  const base = message.name.charAt(0).toUpperCase() + message.name.slice(1);
  const found = [`validate${base}`, `validate${base}Message`].filter((name) => typeof exported[name] === 'function');
  if (found.length !== 1) throw new Error(`expected exactly one validator for message ${message.name}, found ${found.join(', ') || 'none'}`);
  const name = found[0] as string;
  return { name, validate: exported[name] as Validator<unknown> };
}

const cases = messages.map((message) => ({ message: message.name, schema: message.schema, ...validatorOf(message) }));

/** JSON text, including lone surrogates, `__proto__` keys and huge numbers, parsed like a server would. */
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.anything({ maxDepth: 3, withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true }),
  fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"type":"chatMessage","payload":{"__proto__":{"content":"x"}}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"type":"chatMessage","id":1e400,"payload":null}',
    '{"type":"chatMessage","payload":{"conversationId":"conv_a","senderId":"user_a","content":"\\ud800","timestamp":"2025-01-06T12:00:00Z"}}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    '{"type":{"toString":1},"payload":{"valueOf":1}}',
  ).map((text) => JSON.parse(text) as unknown),
);

/** Shows a failing validation compactly in assertion messages. */
function describeResult(result: ValidationResult<unknown>): string {
  return result.ok ? 'ok' : JSON.stringify(result.issues);
}

describe('generated validators under property tests', () => {
  it('covers every exported validator with a message of the document', () => {
    const tested = new Set(cases.map((c) => c.name));
    const all = Object.keys(exported).filter((name) => name.startsWith('validate'));
    expect(all.filter((name) => !tested.has(name))).toEqual([]);
    expect(cases.length).toBe(8);
  });

  it.each(cases)('$name never throws on arbitrary values and never mutates them', ({ validate }) => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const before = safeSnapshot(value);
        const result = validate(value);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) {
            expect(typeof issue.path).toBe('string');
            expect(typeof issue.message).toBe('string');
          }
        }
        expect(safeSnapshot(value)).toBe(before);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it.each(cases)('$name accepts every value generated from its schema (also after a JSON round trip)', ({ validate, schema }) => {
    fc.assert(
      fc.property(set.arbitrary(schema), (value) => {
        const result = validate(value);
        expect(result.ok, describeResult(result)).toBe(true);
        if (result.ok) expect(result.value).toBe(value);
        const wire = JSON.parse(JSON.stringify(value)) as unknown;
        expect(validate(wire).ok).toBe(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it.each(cases)('$name rejects single mutations with issues at the mutated path', ({ validate, schema }) => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(
        set.arbitrary(schema).chain((value) => fc.oneof(...mutations(set, schema, value))),
        (mutation) => {
          kinds.set(mutation.kind, (kinds.get(mutation.kind) ?? 0) + 1);
          const result = validate(mutation.value);
          expect(result.ok, `${mutation.kind} at ${JSON.stringify(mutation.pointer)} was accepted`).toBe(false);
          if (result.ok) return;
          const paths = [...new Set(result.issues.map((issue) => issue.path))];
          expect(paths, `${mutation.kind} at ${JSON.stringify(mutation.pointer)}: ${describeResult(result)}`).toEqual([mutation.pointer]);
        },
      ),
      { numRuns: RUNS * 2, seed: SEED },
    );
    // Every message has required fields, closed objects, a const `type` and strings to mutate.
    for (const kind of ['drop-required', 'extra-property', 'wrong-type', 'const']) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
  });

  it('boundaries: 2000 astral characters fit MessageContent, 2001 do not; lone surrogates count once', () => {
    const frame = (content: string) => ({ type: 'chatMessage', payload: { conversationId: 'conv_a', senderId: 'user_a', content, timestamp: '2025-01-06T12:00:00Z' } });
    expect(validators.validateChatMessage(frame('😀'.repeat(2000))).ok).toBe(true);
    expect(validators.validateChatMessage(frame('\ud800'.repeat(2000))).ok).toBe(true);
    const over = validators.validateChatMessage(frame('😀'.repeat(2001)));
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.issues.map((issue) => issue.path)).toEqual(['/payload/content']);
  });
});

/** A string form of any fast-check value (for "not mutated" checks), tolerant of cycles and exotic types. */
function safeSnapshot(value: unknown): string {
  try {
    return fc.stringify(value);
  } catch {
    return String(value);
  }
}
