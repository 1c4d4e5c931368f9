/** Tables for the generated README: messages per channel, and the fields of every message. */
import { literal, resolveSchema, type SchemaObject } from './ir-helpers.js';
import type { ApiIR, JsonSchema } from '../ir/types.js';


/** Markdown-table-safe single line. */
const cell = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();


function describeType(ir: ApiIR, schema: SchemaObject): string {
  if (schema['const'] !== undefined) return `\`${JSON.stringify(schema['const'])}\``;
  if (Array.isArray(schema['enum'])) return schema['enum'].map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const options = schema[keyword];
    if (Array.isArray(options)) return options.map((option) => { const resolved = resolveSchema(ir, option); return resolved === undefined ? 'any' : describeType(ir, resolved); }).join(' or ');
  }
  const type = Array.isArray(schema['type']) ? (schema['type'] as string[]).join(' \\| ') : typeof schema['type'] === 'string' ? schema['type'] : 'object';
  const extras: string[] = [];
  if (typeof schema['format'] === 'string') extras.push(schema['format']);
  if (typeof schema['pattern'] === 'string') extras.push(`\`${cell(schema['pattern'])}\``);
  if (typeof schema['maxLength'] === 'number') extras.push(`≤ ${schema['maxLength']} chars`);
  if (type === 'array') {
    const items = resolveSchema(ir, schema['items']);
    return `array of ${items === undefined ? 'any' : describeType(ir, items)}`;
  }
  return extras.length === 0 ? type : `${type} (${extras.join(', ')})`;
}

/** One row per field, nested objects flattened as `payload.content` (two levels deep). */
function fieldsOf(ir: ApiIR, schema: SchemaObject | undefined, prefix = '', depth = 0): { path: string; type: string; required: boolean; description: string }[] {
  const properties = schema?.['properties'];
  if (typeof properties !== 'object' || properties === null || depth > 2) return [];
  const required = Array.isArray(schema?.['required']) ? (schema['required'] as string[]) : [];
  return Object.entries(properties as Record<string, JsonSchema>).flatMap(([name, raw]) => {
    const property = resolveSchema(ir, raw) ?? {};
    const path = `${prefix}${name}`;
    const row = { path, type: describeType(ir, property), required: required.includes(name), description: cell(typeof property['description'] === 'string' ? property['description'] : undefined) };
    return [row, ...fieldsOf(ir, property, `${path}.`, depth + 1)];
  });
}

/** README view data. */
export function readmeView(ir: ApiIR) {
  const byId = new Map(ir.messages.map((message) => [message.id, message]));
  return {
    /** The API's description with its headings nested under the README's "About the API". */
    readmeDescription: ir.description?.trim().replace(/^(#{1,5}) /gm, '$1# '),
    protocols: [...new Set(ir.servers.map((server) => server.protocol))].join(', ') || 'no servers declared',
    channels: ir.channels.filter((channel) => channel.isWebSocket).map((channel) => ({
      id: channel.id,
      address: `${ir.basePath}${channel.address}`,
      description: channel.description?.trim(),
      rows: [
        ...channel.clientToServer.map((use) => ({ direction: 'client → server', key: use.key, message: byId.get(use.messageId) })),
        ...channel.serverToClient.map((use) => ({ direction: 'server → client', key: use.key, message: byId.get(use.messageId) })),
      ].map((row) => ({ direction: row.direction, key: row.key, typeName: row.message?.typeName, summary: cell(row.message?.summary ?? row.message?.title) })),
    })),
    messageTables: ir.messages.map((message) => ({
      typeName: message.typeName,
      summary: cell(message.description ?? message.summary),
      fields: fieldsOf(ir, resolveSchema(ir, ir.schemas[message.payloadSchema])),
    })),
    firstValidator: `validate${ir.messages[0]?.typeName ?? ''}`,
  };
}
