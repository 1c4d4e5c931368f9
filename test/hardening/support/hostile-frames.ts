/**
 * Hostile WebSocket frames for the chat server, and an oracle — independent of the runtime's own
 * classification — that says what the server must answer to each one.
 */
import fc from 'fast-check';
import * as validators from '../../../generated/src/validators.js';
import { mutations } from './schema-mutations.js';
import { loadMessageSchemas, SchemaSet } from './schemas.js';

/** One frame a fuzzing client sends. */
export interface HostileFrame {
  /** Generator that made it (for statistics and failure messages). */
  label: string;
  data: string | Buffer;
  binary: boolean;
}

/** What the server must do with a frame. */
export type Expected =
  | { kind: 'close'; code: number }
  | { kind: 'error'; code: 'invalid_json' | 'unknown_message_type' | 'invalid_message'; refType?: string; refId?: string }
  | { kind: 'delivered'; conversationId: string; id: string | undefined }
  | { kind: 'echo'; type: 'messageRead' | 'typingStarted' | 'typingStopped'; conversationId: string };

/** Client→server validators by discriminator value (the document's receive operations). */
const INCOMING: Record<string, (value: unknown) => { ok: boolean }> = {
  chatMessage: validators.validateChatMessage,
  messageRead: validators.validateMessageRead,
  typingStarted: validators.validateTypingStarted,
  typingStopped: validators.validateTypingStopped,
};

/** What the server must answer to `frame`, for a server whose maxPayloadBytes is `maxPayloadBytes`. */
export function expectedOutcome(frame: HostileFrame, maxPayloadBytes: number): Expected {
  // What travels: ws encodes strings as UTF-8, so lone surrogates arrive as U+FFFD.
  const wire = typeof frame.data === 'string' ? Buffer.from(frame.data, 'utf8') : frame.data;
  if (wire.length > maxPayloadBytes) return { kind: 'close', code: 1009 };
  if (frame.binary) return { kind: 'close', code: 1003 };
  let value: unknown;
  try {
    value = JSON.parse(wire.toString('utf8'));
  } catch {
    return { kind: 'error', code: 'invalid_json' };
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const type = object !== undefined && Object.hasOwn(object, 'type') ? object['type'] : undefined;
  const rawId = object !== undefined && Object.hasOwn(object, 'id') ? object['id'] : undefined;
  const refId = typeof rawId === 'string' ? rawId : typeof rawId === 'number' ? String(rawId) : undefined;
  const validate = typeof type === 'string' && Object.hasOwn(INCOMING, type) ? INCOMING[type] : undefined;
  if (validate === undefined) return { kind: 'error', code: 'unknown_message_type', refType: typeof type === 'string' ? type : undefined, refId };
  if (!validate(value).ok) return { kind: 'error', code: 'invalid_message', refType: type as string, refId };
  const payload = (object as { payload: { conversationId: string } }).payload;
  if (type === 'chatMessage') return { kind: 'delivered', conversationId: payload.conversationId, id: rawId as string | undefined };
  return { kind: 'echo', type: type as 'messageRead' | 'typingStarted' | 'typingStopped', conversationId: payload.conversationId };
}

const { messages, schemas } = loadMessageSchemas();
const set = new SchemaSet(schemas);
const clientMessages = messages.filter((message) => ['chatMessage', 'messageRead', 'typingStarted', 'typingStopped'].includes(message.name));

/** Valid client→server frames, from the document's schemas. */
const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(...clientMessages.map((message) => set.arbitrary(message.schema))) as fc.Arbitrary<Record<string, unknown>>;

/** Valid frames with one schema mutation (drop, wrong type, extra `__proto__` key, pattern, oversize…). */
const mutatedFrame: fc.Arbitrary<unknown> = fc
  .constantFrom(...clientMessages)
  .chain((message) => set.arbitrary(message.schema).chain((value) => fc.oneof(...mutations(set, message.schema, value))))
  .map((mutation) => mutation.value);

/** Prototype-pollution attempts: `__proto__` / `constructor.prototype` at several depths, as raw JSON. */
const pollution = fc.constantFrom(
  '{"__proto__":{"polluted":"yes"}}',
  '{"type":"chatMessage","__proto__":{"polluted":"yes"},"payload":{"conversationId":"conv_p","senderId":"user_p","content":"x","timestamp":"2025-01-06T12:00:00Z"}}',
  '{"type":"chatMessage","payload":{"__proto__":{"polluted":"yes"},"conversationId":"conv_p","senderId":"user_p","content":"x","timestamp":"2025-01-06T12:00:00Z"}}',
  '{"type":"typingStarted","payload":{"conversationId":"conv_p","userId":"user_p","constructor":{"prototype":{"polluted":"yes"}}}}',
  '{"type":"messageRead","payload":{"conversationId":"conv_p","messageId":"msg_p","readBy":"user_p","timestamp":"2025-01-06T12:00:00Z","__proto__":{"isAdmin":true}}}',
  '{"type":"__proto__","payload":{}}',
  '{"type":"constructor","id":"c1"}',
  '{"type":"prototype"}',
  '{"type":"hasOwnProperty","payload":{"__proto__":null}}',
  '{"type":"toString","id":"__proto__"}',
  '{"constructor":{"prototype":{"polluted":"yes"}},"type":"typingStopped","payload":{"conversationId":"conv_p","userId":"user_p"}}',
  '[{"__proto__":{"polluted":"yes"}}]',
  '{"type":"chatMessage","id":"__proto__","payload":{"conversationId":"conv_p","senderId":"user_p","content":"__proto__","timestamp":"2025-01-06T12:00:00Z"}}',
);

/** Numbers JSON can carry but JavaScript cannot represent faithfully. */
const hugeNumber = fc.constantFrom('1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0', '0.0000000000000000000000001', '9007199254740993', '1' + '0'.repeat(400));

/** Strings with lone surrogates, BOMs, NULs, line separators, astral and combining characters. */
const weirdString = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('\ud800', '\udfff', '\udbff\udbff', '\ufeff', '\u0000', '\u2028', '\u2029', '\u202e', 'e\u0301', '👩‍👩‍👧', '\uffff', '\ufffd') },
  ),
  maxLength: 30,
});

/** A frame whose UTF-8 size is `target` bytes give or take the last character. */
function sized(target: number, char: string, valid: boolean): string {
  const head = valid ? '{"type":"chatMessage","payload":{"conversationId":"conv_big","senderId":"user_big","content":"' : '{"type":"';
  const tail = valid ? '","timestamp":"2025-01-06T12:00:00Z"}}' : '"}';
  const room = Math.max(0, target - Buffer.byteLength(head + tail));
  return head + char.repeat(Math.floor(room / Buffer.byteLength(char))) + tail;
}

/**
 * Every kind of hostile frame, weighted so that connection-closing ones (binary, oversize) stay
 * rare enough for long sequences on one connection.
 */
export function hostileFrame(maxPayloadBytes: number): fc.Arbitrary<HostileFrame> {
  const text = (label: string, arbitrary: fc.Arbitrary<string>) => ({ weight: 1, arbitrary: arbitrary.map((data): HostileFrame => ({ label, data, binary: false })) });
  return fc.oneof(
    { ...text('valid', validFrame.map((frame) => JSON.stringify(frame))), weight: 6 },
    { ...text('valid+id', validFrame.chain((frame) => fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).map((id) => JSON.stringify(frame['type'] === 'chatMessage' ? { ...frame, id } : frame)))), weight: 3 },
    { ...text('mutated', mutatedFrame.map((value) => JSON.stringify(value) ?? 'null')), weight: 6 },
    text('json-value', fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value))),
    text('truncated', fc.tuple(validFrame, fc.nat()).map(([frame, cut]) => {
      const json = JSON.stringify(frame);
      return json.slice(0, cut % json.length);
    })),
    text('garbage-text', fc.string({ unit: 'binary', maxLength: 200 })),
    text('empty', fc.constant('')),
    text('whitespace', fc.constantFrom(' ', '\n', '\t\r\n', '\ufeff{}', '\u00a0', 'null', 'true', '0', '""', '[]', '{}')),
    text('deep-array', fc.integer({ min: 1, max: Math.floor((maxPayloadBytes - 2) / 2) }).map((depth) => '['.repeat(depth) + ']'.repeat(depth))),
    text('deep-object', fc.integer({ min: 1, max: Math.floor((maxPayloadBytes - 60) / 6) }).map((depth) => `{"type":"chatMessage","payload":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`)),
    text('unclosed-deep', fc.integer({ min: 1000, max: maxPayloadBytes - 10 }).map((depth) => '['.repeat(depth))),
    text('huge-number', fc.tuple(hugeNumber, fc.constantFrom('id', 'type', 'payload', 'conversationId', 'content')).map(([number, field]) =>
      field === 'conversationId' || field === 'content'
        ? `{"type":"chatMessage","id":"n1","payload":{"conversationId":${field === 'conversationId' ? number : '"conv_n"'},"senderId":"user_n","content":${field === 'content' ? number : '"x"'},"timestamp":"2025-01-06T12:00:00Z"}}`
        : `{"type":${field === 'type' ? number : '"chatMessage"'},"id":${field === 'id' ? number : '"n1"'},"payload":${field === 'payload' ? number : '{}'}}`,
    )),
    { ...text('pollution', pollution), weight: 3 },
    text('unicode', fc.tuple(weirdString, fc.constantFrom('chatMessage', 'typingStarted', 'type')).map(([content, where]) =>
      where === 'chatMessage'
        ? JSON.stringify({ type: 'chatMessage', payload: { conversationId: 'conv_u', senderId: 'user_u', content: content === '' ? '\ud800' : content, timestamp: '2025-01-06T12:00:00Z' } })
        : where === 'typingStarted'
          ? JSON.stringify({ type: 'typingStarted', payload: { conversationId: `conv_${content}`, userId: 'user_u' } })
          : JSON.stringify({ type: content }),
    )),
    text('unicode-raw', weirdString.map((content) => `{"type":"chatMessage","payload":{"conversationId":"conv_r","senderId":"user_r","content":"${content.replace(/["\\]/g, '')}x","timestamp":"2025-01-06T12:00:00Z"}}`)),
    text('near-limit', fc.tuple(fc.integer({ min: -4, max: 4 }), fc.constantFrom('a', 'é', '€', '😀'), fc.boolean()).map(([delta, char, valid]) => sized(maxPayloadBytes + delta, char, valid))),
    text('long-content', fc.tuple(fc.integer({ min: 1990, max: 2010 }), fc.constantFrom('a', '😀', '\ud800')).map(([length, char]) =>
      JSON.stringify({ type: 'chatMessage', id: 'long', payload: { conversationId: 'conv_long', senderId: 'user_l', content: char.repeat(length), timestamp: '2025-01-06T12:00:00Z' } }),
    )),
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): HostileFrame => ({ label: 'binary', data: Buffer.from(bytes), binary: true })) },
    { weight: 1, arbitrary: fc.integer({ min: maxPayloadBytes + 1, max: maxPayloadBytes * 4 }).map((depth): HostileFrame => ({ label: 'json-bomb', data: '['.repeat(depth), binary: false })) },
  );
}
