/**
 * The chat API's message schemas, read from `asyncapi.yaml`, and fast-check arbitraries of
 * valid values built from them (mutations of those values are in `schema-mutations.ts`).
 *
 * Only the JSON Schema subset the document uses is supported (object / required / properties /
 * additionalProperties: false, const, enum, string with pattern / minLength / maxLength /
 * format date-time, anyOf, array with items / maxItems, local `$ref`s); anything else throws, so
 * a new keyword in the document cannot silently go untested.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';

/** The part of JSON Schema the chat document uses. */
export interface Schema {
  $ref?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  format?: string;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  maxItems?: number;
  title?: string;
  description?: string;
}

/** One message of the document: its name and the schema of its whole frame. */
export interface MessageSchema {
  name: string;
  schema: Schema;
}

/** Keywords the arbitraries understand; any other keyword in the document fails loudly. */
const KNOWN_KEYWORDS = new Set(['$ref', 'type', 'const', 'enum', 'pattern', 'minLength', 'maxLength', 'format', 'anyOf', 'properties', 'required', 'additionalProperties', 'items', 'maxItems', 'title', 'description']);

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Reads `asyncapi.yaml`: every message of `components.messages`, in document order. */
export function loadMessageSchemas(file = path.join(ROOT, 'asyncapi.yaml')): { messages: MessageSchema[]; schemas: Record<string, Schema> } {
  const document = parse(readFileSync(file, 'utf8')) as { components: { schemas: Record<string, Schema>; messages: Record<string, { name?: string; payload: Schema }> } };
  const schemas = document.components.schemas;
  const messages = Object.entries(document.components.messages).map(([key, message]) => ({ name: message.name ?? key, schema: message.payload }));
  return { messages, schemas };
}

/** Resolves schemas and `$ref`s against one document's `components.schemas`. */
export class SchemaSet {
  constructor(private readonly schemas: Record<string, Schema>) {}

  /** The schema itself, or the one its `$ref` names (recursively). */
  resolve(schema: Schema): Schema {
    let current = schema;
    for (let hops = 0; current.$ref !== undefined; hops++) {
      if (hops > 20) throw new Error(`$ref cycle at ${schema.$ref}`);
      const name = /^#\/components\/schemas\/(.+)$/.exec(current.$ref)?.[1];
      const target = name === undefined ? undefined : this.schemas[name];
      if (target === undefined) throw new Error(`unsupported $ref ${current.$ref}`);
      current = target;
    }
    for (const keyword of Object.keys(current)) {
      if (!KNOWN_KEYWORDS.has(keyword)) throw new Error(`schema keyword "${keyword}" is not supported by the test arbitraries; extend test/hardening/support/schemas.ts`);
    }
    return current;
  }

  /** Values valid against `schema`. */
  arbitrary(schema: Schema): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (s.anyOf !== undefined) return fc.oneof(...s.anyOf.map((branch) => this.arbitrary(branch)));
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum !== undefined) return fc.constantFrom(...s.enum);
    switch (s.type) {
      case 'object': {
        const properties = s.properties ?? {};
        const shape: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(properties)) shape[name] = this.arbitrary(property);
        return fc.record(shape, { requiredKeys: (s.required ?? []).filter((name) => name in properties) });
      }
      case 'array': {
        const items = this.arbitrary(s.items ?? {});
        const max = s.maxItems ?? 10;
        // The boundary (exactly maxItems) is the interesting case; plain sizes are small.
        return fc.oneof(fc.array(items, { maxLength: Math.min(max, 10) }), fc.array(items, { minLength: max, maxLength: max }));
      }
      case 'string':
        return this.stringArbitrary(s);
      default:
        throw new Error(`unsupported schema type ${String(s.type)}`);
    }
  }

  private stringArbitrary(s: Schema): fc.Arbitrary<string> {
    const min = s.minLength ?? 0;
    const max = s.maxLength;
    if (s.format === 'date-time') {
      // Years 0000–9999 (toISOString switches to ±YYYYYY beyond), in the forms RFC 3339 allows.
      const date = fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
      return fc.tuple(date, fc.constantFrom('iso', 'seconds', 'offset', 'lower')).map(([d, form]) => rfc3339(d, form));
    }
    if (s.format !== undefined) throw new Error(`unsupported string format ${s.format}`);
    if (s.pattern !== undefined) {
      const regex = new RegExp(s.pattern, 'u');
      const matching = fc.stringMatching(regex, max === undefined ? {} : { maxLength: max }).filter((value) => inLength(value, min, max));
      return max === undefined ? matching : fc.oneof(matching, fc.stringMatching(regex, { maxLength: max, size: 'max' }).filter((value) => inLength(value, min, max)));
    }
    // Any code point, lone surrogates included: lengths are counted in code points, like Ajv.
    const unit = fc.oneof({ weight: 8, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '😀', '\u0000', '\u2028', '\ufeff') });
    const plain = fc.string({ unit, minLength: min, maxLength: max === undefined ? 40 : Math.min(max, 40) });
    const boundary = max === undefined ? plain : fc.string({ unit, minLength: max, maxLength: max });
    return fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: boundary }).filter((value) => inLength(value, min, max));
  }
}

/** Length in code points, counting a lone surrogate as one (what Ajv's `ucs2length` does). */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function inLength(value: string, min: number, max: number | undefined): boolean {
  const length = codePoints(value);
  return length >= min && (max === undefined || length <= max);
}

function rfc3339(date: Date, form: string): string {
  const iso = date.toISOString();
  if (form === 'seconds') return iso.replace(/\.\d{3}Z$/, 'Z');
  if (form === 'lower') return iso.replace('T', 't').replace('Z', 'z');
  if (form === 'offset') {
    // The same instant written with a +05:30 offset.
    const shifted = new Date(date.getTime() + 330 * 60_000);
    if (shifted.getUTCFullYear() > 9999) return iso;
    return shifted.toISOString().replace('Z', '+05:30');
  }
  return iso;
}
