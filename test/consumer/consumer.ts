/**
 * A TypeScript consumer of the packed `petstore-support-chat` tarball, as another repository would
 * write it: bare package specifiers only, strict mode, the package's own declarations (no
 * `skipLibCheck`). test/package-consumer.test.ts copies it into a fresh project and runs tsc under
 * `moduleResolution: "node16"` and `"bundler"`; every `@ts-expect-error` must be needed, so each one
 * proves that a wrong payload is rejected through the published types.
 *
 * The bare specifiers only resolve inside that project, so the repository's own `tsc -p .` must
 * exclude test/consumer.
 */
import {
  CloseCode,
  ErrorCode,
  WsgenRuntimeError,
  validateChatMessage,
  type ChatMessage,
  type ClientMessage,
  type MessageDelivered,
  type ServerMessage,
  type ValidationResult,
} from 'petstore-support-chat';
import { createClient, type Client, type ClientState } from 'petstore-support-chat/client';
import { isChatMessageBroadcast, type ServerMessageMap } from 'petstore-support-chat/messages';
import { createServer, type Handlers, type HandlerContext, type Server } from 'petstore-support-chat/server';
import { validateMessageDelivered } from 'petstore-support-chat/validators';

interface Principal {
  userId: string;
}

const message: ChatMessage = {
  type: 'chatMessage',
  payload: { conversationId: 'conv_abc123', senderId: 'user_xyz789', content: 'Hello, I need help with my order', timestamp: '2025-01-06T12:00:00Z' },
};

// Validators narrow `unknown` to the message type.
const checked: ValidationResult<ChatMessage> = validateChatMessage(JSON.parse('{}') as unknown);
const content: string | undefined = checked.ok ? checked.value.payload.content : undefined;
const delivered = validateMessageDelivered({});
if (delivered.ok) void (delivered.value satisfies MessageDelivered);

// @ts-expect-error — wrong message type: the discriminator of another message.
const wrongType: ChatMessage = { type: 'typingStarted', payload: message.payload };
// @ts-expect-error — missing required field `content`.
const missingField: ChatMessage = { type: 'chatMessage', payload: { conversationId: 'conv_a', senderId: 'user_a', timestamp: '2025-01-06T12:00:00Z' } };
// @ts-expect-error — unknown field (the schema says additionalProperties: false).
const unknownField: ChatMessage = { type: 'chatMessage', payload: { ...message.payload, mood: 'happy' } };
// @ts-expect-error — agentAssigned flows server → client only.
const serverOnly: ClientMessage = { type: 'agentAssigned', payload: { conversationId: 'conv_a', agentId: 'agent_a', agentName: 'Sarah', timestamp: '2025-01-06T12:00:00Z' } };

// The client: typed send / request / on.
const client: Client = createClient({ url: 'ws://127.0.0.1:1/v1/ws/chat', token: () => 'jwt', reconnect: false });
client.send(message);
client.sendChatMessage(message.payload);
const reply: Promise<MessageDelivered> = client.request(message, { timeoutMs: 1000 });
client.on('chatMessage', (broadcast) => void broadcast.payload.senderName);
client.on('agentAssigned', (assigned: ServerMessageMap['agentAssigned']) => void assigned.payload.agentName);
client.on('state', (state: ClientState) => void (state satisfies 'connecting' | 'open' | 'reconnecting' | 'closed'));
client.on('clientError', (error) => void (error satisfies WsgenRuntimeError));
// @ts-expect-error — sending a server-only message from the client.
client.send({ type: 'agentAssigned', payload: { conversationId: 'conv_a', agentId: 'agent_a', agentName: 'Sarah', timestamp: '2025-01-06T12:00:00Z' } });
// @ts-expect-error — the server's broadcast shape (server-assigned messageId, senderName) is not a client message.
client.send({ type: 'chatMessage', payload: { ...message.payload, messageId: 'msg_a', senderName: 'Alice' } });
// @ts-expect-error — the payload of another message.
client.sendTypingStarted(message.payload);
// @ts-expect-error — no such server message to listen to.
client.on('chatMessages', () => undefined);

// The server: one typed handler per client message, typed replies.
const handlers: Handlers<Principal> = {
  chatMessage: (incoming, ctx: HandlerContext<Principal>) => {
    void ctx.principal.userId;
    ctx.reply({ type: 'messageDelivered', payload: { conversationId: incoming.payload.conversationId, messageId: 'msg_a', timestamp: incoming.payload.timestamp } });
    // @ts-expect-error — a server cannot send the client's chat message shape.
    ctx.send({ type: 'chatMessage', payload: incoming.payload });
  },
  messageRead: () => undefined,
  typingStarted: () => undefined,
  typingStopped: async () => undefined,
};
const server: Server = createServer<Principal>({
  port: 0,
  host: '127.0.0.1',
  authenticate: ({ token }) => (token === 'jwt' ? { userId: 'user_a' } : null),
  handlers,
});

// @ts-expect-error — a handler map missing a message (typingStopped).
const incomplete: Handlers<Principal> = { chatMessage: () => undefined, messageRead: () => undefined, typingStarted: () => undefined };
// @ts-expect-error — authenticate is required: the document declares security.
createServer<Principal>({ port: 0, handlers });

function describe(incoming: ServerMessage): string {
  if (isChatMessageBroadcast(incoming)) return incoming.payload.senderName;
  return incoming.type === 'error' ? incoming.payload.code : incoming.type;
}

const codes: number[] = [CloseCode.NORMAL, CloseCode.INVALID_TOKEN];
const errorCode: string = ErrorCode.INVALID_MESSAGE;

export { content, wrongType, missingField, unknownField, serverOnly, reply, server, incomplete, describe, codes, errorCode };
