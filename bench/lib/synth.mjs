/**
 * Synthesises AsyncAPI 3.0 documents of a chosen size for the scaling benchmark: `messages`
 * messages spread round-robin over `channels` WebSocket channels, each message a
 * `{ type: const, payload: {...} }` frame with 5–8 typed fields, a nested object, an enum and an
 * array, and one `receive` (even index) or `send` (odd index) operation.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

const pad = (n, width) => String(n).padStart(width, '0');

/** Field kinds cycled through so payloads are varied but deterministic. */
const FIELD_KINDS = [
  { name: 'id', schema: { $ref: '#/components/schemas/EntityId' } },
  { name: 'count', schema: { type: 'integer', minimum: 0, maximum: 1000000, description: 'A non-negative count.' } },
  { name: 'ratio', schema: { type: 'number', minimum: 0, maximum: 1 } },
  { name: 'label', schema: { type: 'string', minLength: 1, maxLength: 200 } },
  { name: 'active', schema: { type: 'boolean' } },
  { name: 'at', schema: { $ref: '#/components/schemas/Timestamp' } },
  { name: 'email', schema: { type: 'string', format: 'email' } },
  { name: 'note', schema: { type: 'string', maxLength: 2000, description: 'Free text.' } },
];

/** Builds the document object (plain JSON) for `messages` messages over `channels` channels. */
export function synthesiseDocument({ messages, channels }) {
  if (!Number.isInteger(messages) || messages < 1) throw new RangeError(`messages must be a positive integer, got ${messages}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > messages) throw new RangeError(`channels must be an integer in 1..messages, got ${channels}`);
  const width = String(messages).length;
  const doc = {
    asyncapi: '3.0.0',
    info: { title: `Bench ${messages} messages`, version: '1.0.0', description: `Synthetic document: ${messages} messages over ${channels} channel(s).` },
    defaultContentType: 'application/json',
    servers: { local: { host: 'localhost:8080', protocol: 'ws', pathname: '/v1' } },
    channels: {},
    operations: {},
    components: {
      messages: {},
      schemas: {
        EntityId: { type: 'string', pattern: '^[a-z]+_[A-Za-z0-9]+$', description: 'Prefixed entity id.' },
        Timestamp: { type: 'string', format: 'date-time', description: 'RFC 3339 date-time.' },
      },
    },
  };
  for (let c = 0; c < channels; c++) {
    doc.channels[`channel${pad(c, 3)}`] = { address: `/ws/channel${pad(c, 3)}`, title: `Channel ${c}`, messages: {} };
  }
  for (let m = 0; m < messages; m++) {
    const id = `event${pad(m, width)}`;
    const Name = `Event${pad(m, width)}`;
    const channelId = `channel${pad(m % channels, 3)}`;
    const fieldCount = 5 + (m % 4); // 5..8 typed fields
    const properties = {};
    for (let f = 0; f < fieldCount; f++) {
      const kind = FIELD_KINDS[(m + f) % FIELD_KINDS.length];
      properties[`${kind.name}${f}`] = kind.schema;
    }
    properties.level = { type: 'string', enum: ['low', 'medium', 'high', `level${m % 7}`], description: 'Severity.' };
    properties.tags = { type: 'array', maxItems: 16, items: { type: 'string', minLength: 1 } };
    properties.detail = {
      title: `${Name}Detail`,
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      properties: { source: { type: 'string' }, attempt: { type: 'integer', minimum: 1 }, at: { $ref: '#/components/schemas/Timestamp' } },
    };
    doc.components.schemas[`${Name}Payload`] = {
      title: `${Name}Payload`,
      type: 'object',
      additionalProperties: false,
      required: Object.keys(properties).slice(0, 3),
      properties,
    };
    doc.components.schemas[`${Name}Frame`] = {
      title: `${Name}Frame`,
      type: 'object',
      additionalProperties: false,
      required: ['type', 'payload'],
      properties: { type: { type: 'string', const: id, description: 'Message discriminator.' }, payload: { $ref: `#/components/schemas/${Name}Payload` } },
    };
    doc.components.messages[id] = { name: id, title: `Event ${m}`, summary: `Synthetic message ${m}.`, contentType: 'application/json', payload: { $ref: `#/components/schemas/${Name}Frame` } };
    doc.channels[channelId].messages[id] = { $ref: `#/components/messages/${id}` };
    const action = m % 2 === 0 ? 'receive' : 'send';
    doc.operations[`${action}${Name}`] = { action, channel: { $ref: `#/channels/${channelId}` }, messages: [{ $ref: `#/channels/${channelId}/messages/${id}` }] };
  }
  return doc;
}

/** Writes the document as YAML to `<dir>/asyncapi-<messages>.yaml`; returns its path. */
export async function writeSynthesisedDocument(dir, size) {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `asyncapi-${size.messages}.yaml`);
  await writeFile(file, stringify(synthesiseDocument(size), { lineWidth: 0, aliasDuplicateObjects: false }));
  return file;
}
