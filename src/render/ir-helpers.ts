/** Small helpers the view builders share: TypeScript literals and `$ref` resolution in the IR. */
import type { ApiIR } from '../ir/types.js';

/** A schema object, as the view builders read it. */
export type SchemaObject = Record<string, unknown>;

/** A string as a single-quoted TypeScript literal. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** Follows `#/definitions/…` references (bounded, in case of a reference cycle) to a schema object. */
export function resolveSchema(ir: ApiIR, schema: unknown, depth = 0): SchemaObject | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || depth > 20) return undefined;
  const ref = (schema as SchemaObject)['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/definitions/')) return resolveSchema(ir, ir.schemas[ref.slice('#/definitions/'.length)], depth + 1);
  return schema as SchemaObject;
}
