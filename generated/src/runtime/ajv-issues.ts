/**
 * Adapts Ajv standalone validate functions (generated at build time) to the runtime's
 * `Validator` shape: a typed value, or issues with a JSON Pointer path and a reason.
 */
import type { ValidationIssue, Validator } from './protocol.js';

/** The part of an Ajv error object the runtime reads. */
export interface AjvErrorObject {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** An Ajv standalone validate function. */
export type AjvValidateFunction = ((data: unknown) => boolean) & { errors?: AjvErrorObject[] | null };

/** Converts Ajv errors to issues, pointing `required` and `additionalProperties` at the property. */
export function toIssues(errors: readonly AjvErrorObject[] | null | undefined): ValidationIssue[] {
  if (errors === null || errors === undefined) return [];
  return errors.map((error) => {
    const property = error.keyword === 'required' ? error.params['missingProperty'] : error.keyword === 'additionalProperties' ? error.params['additionalProperty'] : undefined;
    const path = typeof property === 'string' ? `${error.instancePath}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}` : error.instancePath;
    const message =
      error.keyword === 'required' ? 'is required'
      : error.keyword === 'additionalProperties' ? 'is not allowed (unknown property)'
      : error.keyword === 'const' ? `must be ${JSON.stringify(error.params['allowedValue'])}`
      : error.keyword === 'enum' && Array.isArray(error.params['allowedValues']) ? `must be one of: ${error.params['allowedValues'].map((value) => JSON.stringify(value)).join(', ')}`
      : error.message ?? `fails ${error.keyword}`;
    return { path, message };
  });
}

/** Wraps a standalone validate function as a typed {@link Validator}. */
export function fromAjv<T>(validate: AjvValidateFunction): Validator<T> {
  return (value: unknown) => (validate(value) ? { ok: true, value: value as T } : { ok: false, issues: toIssues(validate.errors) });
}
