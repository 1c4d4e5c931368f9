/**
 * Validators through Ajv standalone: every message payload (and channel parameter) schema is
 * compiled at generation time into plain JavaScript, then bundled with esbuild so Ajv's small
 * runtime helpers (unicode length, deep equal, formats) are inlined. The generated package thus
 * needs neither Ajv nor schema compilation at runtime, and works under a strict CSP.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import type { ApiIR, JsonSchema } from '../ir/types.js';
import { ErrorCode, WsgenError } from '../errors.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as typeof import('ajv').default;
const standaloneCode = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const { fullFormats } = require('ajv-formats/dist/formats') as typeof import('ajv-formats/dist/formats.js');

/** One validation function to emit: its exported name and the schema it checks. */
export interface ValidatorRequest {
  exportName: string;
  schema: JsonSchema;
}

/** Schema id under which the IR's named definitions are registered with Ajv. */
const DEFINITIONS_ID = 'wsgen:definitions';

/** Collects every `format` used, so unknown (vendor) formats can be declared as annotations. */
function formatsUsed(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) formatsUsed(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'format' && typeof child === 'string') found.add(child);
      else formatsUsed(child, found);
    }
  }
  return found;
}

/**
 * Inlines `#/definitions/X` references, except recursive ones, which point into the registered
 * definitions schema. Ajv then compiles one function per message instead of a chain of calls
 * (one per referenced schema, each allocating its options and concatenating errors): that chain
 * made the standalone validators slower than Ajv compiled at runtime on dereferenced schemas.
 */
function inlineRefs(schema: unknown, definitions: Record<string, JsonSchema>, stack: string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlineRefs(item, definitions, stack));
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = (schema as Record<string, unknown>)['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
    const name = ref.slice('#/definitions/'.length);
    if (stack.includes(name) || definitions[name] === undefined) return { $ref: `${DEFINITIONS_ID}#/definitions/${name}` };
    return inlineRefs(definitions[name], definitions, [...stack, name]);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === 'examples' || key === 'const' || key === 'enum' || key === 'default' ? value : inlineRefs(value, definitions, stack)]));
}

/** The definitions with their own `#/definitions/X` refs pointing into the registered schema. */
function retargetAll(definitions: Record<string, JsonSchema>): Record<string, JsonSchema> {
  return JSON.parse(JSON.stringify(definitions).replace(/"\$ref":"#\/definitions\//g, `"$ref":"${DEFINITIONS_ID}#/definitions/`)) as Record<string, JsonSchema>;
}

/**
 * Returns self-contained ESM source exporting one Ajv validate function per request.
 * Unknown formats are accepted as annotations and returned so the caller can warn.
 */
export async function renderStandaloneValidators(ir: ApiIR, requests: ValidatorRequest[]): Promise<{ code: string; unknownFormats: string[] }> {
  const ajv = new Ajv({
    // No optimisation passes: they cost 30% of the compilation (1.1 s at 1,000 messages) and made
    // no measurable difference to the validators' speed (bench/validators.mjs, within noise).
    code: { source: true, esm: true, lines: true, optimize: 0, formats: standaloneFormatsImport() },
    allErrors: true,
    strict: false,
    // Validators run on untrusted input: never let a schema's `default` mutate it.
    useDefaults: false,
  });
  addFormats(ajv);
  // Annotations change nothing in the code but would be carried into the constants Ajv emits.
  const schemas = (withoutAnnotations({ definitions: ir.schemas }) as { definitions: Record<string, JsonSchema> }).definitions;
  const unknownFormats = [...formatsUsed([schemas, requests.map((request) => request.schema)])].filter((format) => !(format in fullFormats)).sort();
  for (const format of unknownFormats) ajv.addFormat(format, true);
  try {
    // Recursive schemas still reference these.
    ajv.addSchema({ $id: DEFINITIONS_ID, definitions: retargetAll(schemas) }, DEFINITIONS_ID);
  } catch (error) {
    throw new WsgenError({ code: ErrorCode.UNSUPPORTED, message: `unsupported: the payload schemas cannot be compiled to validators: ${(error as Error).message}` }, { cause: error });
  }
  const refs: Record<string, string> = {};
  for (const request of requests) {
    const id = `wsgen:${request.exportName}`;
    try {
      const inlined = inlineRefs(withoutAnnotations(request.schema), schemas);
      ajv.addSchema(typeof inlined === 'object' && inlined !== null ? { ...inlined, $id: id } : (inlined as boolean), id);
    } catch (error) {
      throw new WsgenError({ code: ErrorCode.UNSUPPORTED, message: `unsupported: schema of ${request.exportName} cannot be compiled: ${(error as Error).message}` }, { cause: error });
    }
    refs[request.exportName] = id;
  }
  let source: string;
  try {
    source = standaloneCode(ajv, refs);
  } catch (error) {
    throw new WsgenError({ code: ErrorCode.UNSUPPORTED, message: `unsupported: a payload schema cannot be compiled to a validator: ${(error as Error).message}` }, { cause: error });
  }
  return { code: await linkRuntimeHelpers(dropUnusedSchemaConstants(source)), unknownFormats };
}

/** How the generated code refers to the object holding Ajv's runtime helpers. */
const HELPERS = '__ajvRuntime';
/** Ajv's standalone code loads its runtime helpers (and ajv-formats' formats) with `require`. */
const HELPER_REQUIRE = /\brequire\("((?:ajv|ajv-formats)\/[\w./-]+)"\)/g;

/**
 * Makes Ajv's output self-contained: its `require("ajv/dist/runtime/…")` calls are pointed at
 * those modules bundled once, by esbuild, in front of the code. Only the helpers go through
 * esbuild: bundling the whole output took ~4 s for a 1,000-message document (15 MB of code
 * printed back as 21 MB), the helpers take milliseconds whatever the document's size.
 */
async function linkRuntimeHelpers(source: string): Promise<string> {
  const specifiers = [...new Set([...source.matchAll(HELPER_REQUIRE)].map((match) => match[1] ?? ''))].sort();
  if (specifiers.length === 0) return source;
  const key = specifiers.join('\n');
  let helpers = bundledHelpers.get(key);
  if (helpers === undefined) {
    helpers = bundleHelpers(specifiers);
    bundledHelpers.set(key, helpers);
  }
  const code = source.replace(/^"use strict";\n/, '').replace(HELPER_REQUIRE, (_match, specifier: string) => `${HELPERS}[${JSON.stringify(specifier)}]`);
  return `${await helpers}\n${code}`;
}

/**
 * Helper bundles by the set of modules they hold. They depend on nothing else, so watch mode
 * bundles them once (an esbuild round trip was ~15 ms of each regeneration that compiles).
 */
const bundledHelpers = new Map<string, Promise<string>>();

/** esbuild bundle defining `HELPERS` as an object of the given modules' exports. */
async function bundleHelpers(specifiers: string[]): Promise<string> {
  const entry = `module.exports = {\n${specifiers.map((specifier) => `  ${JSON.stringify(specifier)}: require(${JSON.stringify(specifier)}),`).join('\n')}\n};\n`;
  // Paths in esbuild's comments are relative to the folder holding Ajv's node_modules, so the
  // output does not depend on where wsgen is installed or run from.
  const nodeModules = path.dirname(path.dirname(require.resolve('ajv/package.json')));
  const root = path.dirname(nodeModules);
  const bundled = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'ajv-runtime.js', loader: 'js' },
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'iife',
    globalName: HELPERS,
    platform: 'neutral',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'silent',
    nodePaths: [nodeModules],
  });
  return bundled.outputFiles[0]?.text ?? '';
}

/**
 * Ajv's standalone output declares every compiled root schema as a constant (`const schema11 =
 * {…}`), used or not; most are not (a compiled enum refers to its schema). Unused ones are
 * dropped: they were the whole message schemas again.
 */
function dropUnusedSchemaConstants(source: string): string {
  const uses = new Map<string, number>();
  // No leading \b: a longer identifier ending in `schema12` could only over-count, which keeps a
  // constant. (At 1,000 messages this step takes ~0.4 s, mostly flattening Ajv's concatenated
  // 15 MB string, which a later step would otherwise do.)
  for (const [name] of source.matchAll(/schema\d+/g)) uses.set(name, (uses.get(name) ?? 0) + 1);
  return source.replace(/^const (schema\d+) = .*;\n/gm, (line, name: string) => (uses.get(name) === 1 ? '' : line));
}

/** Ajv's `code.formats` option: the generated code imports ajv-formats' full formats. */
function standaloneFormatsImport(): import('ajv').CodeOptions['formats'] {
  const { _ } = require('ajv') as typeof import('ajv');
  return _`require("ajv-formats/dist/formats").fullFormats`;
}

/** Keywords that only annotate: Ajv generates no code for them. */
const ANNOTATIONS = new Set(['title', 'description', 'examples', '$comment']);
/** Keywords whose value is one schema or an array of schemas. */
const SUBSCHEMAS = new Set(['items', 'additionalItems', 'prefixItems', 'contains', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties', 'allOf', 'anyOf', 'oneOf']);
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'dependencies']);

/**
 * A schema without its annotations, for keying the validators in watch mode (memo.ts): editing a
 * description changes the TypeScript docs but not one byte of the compiled validators, so such an
 * edit need not pay for compiling and bundling them again. Only keyword positions are stripped:
 * a property *named* `description` stays, and `const`, `enum` and `default` values are kept whole.
 */
export function withoutAnnotations(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutAnnotations);
  if (typeof schema !== 'object' || schema === null) return schema;
  const kept: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (SUBSCHEMAS.has(keyword)) kept[keyword] = withoutAnnotations(value);
    else if (SCHEMA_MAPS.has(keyword) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      kept[keyword] = Object.fromEntries(Object.entries(value).map(([name, subschema]) => [name, withoutAnnotations(subschema)]));
    } else kept[keyword] = value;
  }
  return kept;
}
