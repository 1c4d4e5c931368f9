/**
 * A hand-written ApiProtocol shaped like the chat example: channel `chat` at `/ws/chat` under
 * `/v1`, a parameterised `rooms` channel, request/reply with `id`, an error message, and auth
 * by query parameter or `bearer` subprotocol. Validators are ajv, compiled at test time.
 */
import { Ajv, type AnySchema } from 'ajv';
import type { ApiProtocol, ChannelProtocol, ProtocolError, Validator } from '../../../src/runtime/protocol.js';

const ajv = new Ajv({ allErrors: true });

/** Wraps an ajv schema as a runtime Validator (JSON Pointer paths, ajv's reasons). */
export function validator<T = unknown>(schema: AnySchema): Validator<T> {
  const validate = ajv.compile(schema);
  return (value) =>
    validate(value)
      ? { ok: true, value: value as T }
      : { ok: false, issues: (validate.errors ?? []).map((error) => ({ path: error.instancePath, message: error.message ?? 'is invalid' })) };
}

const string = { type: 'string', minLength: 1 } as const;

const errorSchema = {
  type: 'object',
  required: ['type', 'payload'],
  additionalProperties: false,
  properties: {
    type: { const: 'error' },
    id: string,
    payload: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: string,
        message: string,
        details: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        ref: { type: 'object', additionalProperties: false, properties: { type: { type: 'string' }, id: { type: 'string' } } },
      },
    },
  },
};

const errorRoute = { key: 'error', discriminatorValue: 'error', validate: validator(errorSchema) };

/** The `chat` channel. */
export const chatChannel: ChannelProtocol = {
  id: 'chat',
  address: '/ws/chat',
  parameters: {},
  discriminator: 'type',
  clientToServer: [
    {
      key: 'chatMessage',
      discriminatorValue: 'chatMessage',
      validate: validator({
        type: 'object',
        required: ['type', 'id', 'payload'],
        additionalProperties: false,
        properties: {
          type: { const: 'chatMessage' },
          id: string,
          payload: { type: 'object', required: ['content'], additionalProperties: false, properties: { content: { type: 'string', minLength: 1, maxLength: 2000 } } },
        },
      }),
    },
    {
      key: 'typingStarted',
      discriminatorValue: 'typingStarted',
      validate: validator({ type: 'object', required: ['type'], additionalProperties: false, properties: { type: { const: 'typingStarted' }, payload: { type: 'object' } } }),
    },
  ],
  serverToClient: [
    {
      key: 'chatMessage',
      discriminatorValue: 'chatMessage',
      validate: validator({
        type: 'object',
        required: ['type', 'payload'],
        additionalProperties: false,
        properties: {
          type: { const: 'chatMessage' },
          id: string,
          payload: { type: 'object', required: ['content', 'sender'], properties: { content: { type: 'string' }, sender: string } },
        },
      }),
    },
    {
      key: 'messageDelivered',
      discriminatorValue: 'messageDelivered',
      validate: validator({
        type: 'object',
        required: ['type', 'id', 'payload'],
        additionalProperties: false,
        properties: { type: { const: 'messageDelivered' }, id: string, payload: { type: 'object', required: ['deliveredAt'], properties: { deliveredAt: { type: 'number' } } } },
      }),
    },
    errorRoute,
  ],
  replies: { chatMessage: { replyKeys: ['messageDelivered'], correlationProperty: 'id' } },
};

/** The `rooms` channel: address parameter `roomId` (lowercase slug). */
export const roomsChannel: ChannelProtocol = {
  id: 'rooms',
  address: '/rooms/{roomId}',
  parameters: { roomId: validator<string>({ type: 'string', pattern: '^[a-z0-9-]{1,32}$' }) },
  discriminator: 'type',
  clientToServer: [
    {
      key: 'say',
      discriminatorValue: 'say',
      validate: validator({ type: 'object', required: ['type', 'text'], additionalProperties: false, properties: { type: { const: 'say' }, text: { type: 'string' } } }),
    },
  ],
  serverToClient: [
    {
      key: 'said',
      discriminatorValue: 'said',
      validate: validator({
        type: 'object',
        required: ['type', 'roomId', 'text'],
        additionalProperties: false,
        properties: { type: { const: 'said' }, roomId: { type: 'string' }, text: { type: 'string' } },
      }),
    },
    errorRoute,
  ],
  replies: {},
};

/** The whole test API. */
export const protocol: ApiProtocol = {
  title: 'Test Chat',
  basePath: '/v1',
  auth: { queryParameter: 'token', subprotocol: 'bearer' },
  errorMessage: {
    key: 'error',
    toFrame: (error: ProtocolError) => ({ type: 'error', payload: error }),
    fromFrame: (frame) => (errorRoute.validate(frame).ok ? ((frame as { payload: ProtocolError }).payload) : undefined),
  },
  channels: [chatChannel, roomsChannel],
};

/** The same API without an error message: no error frames, closes still apply. */
export const protocolWithoutErrors: ApiProtocol = { ...protocol, errorMessage: undefined };

/** Who a token belongs to. */
export interface Principal {
  userId: string;
  /** Epoch ms after which the token is expired, if it expires. */
  expiresAt?: number;
}

/** Valid tokens; each contains `SECRET` so tests can assert it never leaks. */
export const SECRET = 'S3CR3T';
export const TOKENS: Record<string, Principal> = {
  [`alice-${SECRET}`]: { userId: 'alice' },
  [`bob-${SECRET}`]: { userId: 'bob' },
};

/** The test `authenticate`: known tokens only. */
export function authenticate({ token }: { token: string | undefined }): Principal | null {
  return token === undefined ? null : (TOKENS[token] ?? null);
}

/** A valid token. */
export const ALICE = `alice-${SECRET}`;
/** Another valid token. */
export const BOB = `bob-${SECRET}`;
