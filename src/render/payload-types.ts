/**
 * Payload types through Modelina: every named schema of the IR becomes an exported TypeScript
 * interface or type, with the JSON property names exactly as they are on the wire (`type` stays
 * `type`; Modelina's defaults would rename it), `unknown` instead of `any`, and no invented
 * `additionalProperties` member.
 */
import { requireDeferring } from './lazy-require.js';
import type { ApiIR } from '../ir/types.js';
import { jsdoc } from './jsdoc.js';

const { TypeScriptGenerator, TS_DESCRIPTION_PRESET, typeScriptDefaultModelNameConstraints } = requireDeferring(import.meta.url, '@asyncapi/modelina', [
  'typescript-json-schema',
  '@apidevtools/swagger-parser',
  'fast-xml-parser',
  'alterschema',
  '@asyncapi/multi-parser',
]) as typeof import('@asyncapi/modelina');

/** One generated model: its name and its exported TypeScript declaration. */
export interface PayloadModel {
  name: string;
  code: string;
}

/** Title of the synthetic root schema that makes Modelina process every definition in one run. */
const ROOT = 'WsgenDefinitionsRoot';

/** A TypeScript literal type for one enum value (objects and arrays have none: `unknown`). */
export function enumLiteral(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  return 'unknown';
}

/** Renders TypeScript declarations for every schema of the IR, in a stable (name) order. */
export async function renderPayloadTypes(ir: ApiIR): Promise<PayloadModel[]> {
  const names = Object.keys(ir.schemas);
  if (names.length === 0) return [];
  const root = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: ROOT,
    type: 'object',
    definitions: structuredClone(ir.schemas),
    properties: Object.fromEntries(names.map((name) => [name, { $ref: `#/definitions/${name}` }])),
  };
  const generator = new TypeScriptGenerator({
    modelType: 'interface',
    enumType: 'union',
    mapType: 'record',
    rawPropertyNames: true,
    // Modelina's reserved list holds browser globals (`alert`, `name`, `status`) and renames models
    // so called (`ReservedAlert`), ignoring `useJavascriptReservedKeywords`. Names that would really
    // shadow something are already suffixed by ir/naming.ts, so that check is switched off here.
    constraints: {
      modelName: typeScriptDefaultModelNameConstraints({ NO_RESERVED_KEYWORDS: (value: string) => value }),
      // Modelina's default writes `"${value}"` unescaped (a `\n` or `"` in an enum breaks the file)
      // and turns boolean enums into strings; these are proper TypeScript literal types.
      enumValue: ({ enumValue }: { enumValue: unknown }) => enumLiteral(enumValue),
    },
    typeMapping: { Any: () => 'unknown' },
    presets: [TS_DESCRIPTION_PRESET],
    processorOptions: { interpreter: { ignoreAdditionalProperties: true, ignoreAdditionalItems: true } },
  });
  const models = await generator.generate(root);
  // With `enumType: 'union'` Modelina still writes a `const` of an enum as a member access
  // (`CommonReqType.DOCK`), which a union type cannot have: substitute the literal.
  const enumMembers = new Map<string, string>();
  for (const model of models) {
    const values = (model.model as { values?: { key: string; value: unknown }[] }).values;
    // Values are already TypeScript literals (see `enumLiteral`).
    if (Array.isArray(values)) for (const { key, value } of values) enumMembers.set(`${model.modelName}.${key}`, String(value));
  }
  const literalMembers = (code: string): string => (enumMembers.size === 0 ? code : code.replace(/\b([A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*)\b/g, (match: string) => enumMembers.get(match) ?? match));
  const result = models
    .filter((model) => model.modelName !== ROOT)
    .map((model) => ({ name: model.modelName, code: literalMembers(model.result).replace(/^(interface|type) /m, 'export $1 ') }));
  // Definitions Modelina inlines (unions, primitives) get an alias, typed as the root's property.
  const rootModel = models.find((model) => model.modelName === ROOT)?.model as { properties?: Record<string, { unconstrainedPropertyName: string; property: { type: string } }> } | undefined;
  const rootProperties = Object.values(rootModel?.properties ?? {});
  for (const name of names) {
    if (result.some((model) => model.name === name)) continue;
    const type = rootProperties.find((property) => property.unconstrainedPropertyName === name)?.property.type ?? 'unknown';
    const schema = ir.schemas[name];
    const description = typeof schema === 'object' && typeof schema['description'] === 'string' ? schema['description'] : undefined;
    result.push({ name, code: `${jsdoc(description)}\nexport type ${name} = ${type};` });
  }
  return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
