/**
 * Compile-time proof that the generated chat types match the wire format and reject wrong
 * payloads. Type-checked by test/types.test.ts; every `@ts-expect-error` must be needed.
 */
import type { ChatMessage, ChatMessageBroadcast, ClientMessage, ServerMessage, ServerMessageMap } from '../../generated/src/messages.js';
import { isChatMessageBroadcast } from '../../generated/src/messages.js';
import { createClient } from '../../generated/src/client.js';
import { createServer } from '../../generated/src/server.js';
import guide from '../fixtures/petstore-guide-frames.json' with { type: 'json' };

// The guide's literal frames are assignable to the generated types.
const send: ChatMessage = { type: 'chatMessage', payload: { conversationId: 'conv_abc123', senderId: 'user_xyz789', content: 'Hello, I need help with my order', timestamp: '2025-01-06T12:00:00Z' } };
const receive: ChatMessageBroadcast = { type: 'chatMessage', payload: { conversationId: 'conv_abc123', messageId: 'msg_xyz789', senderId: 'agent_abc123', senderName: 'Support Agent', content: 'Hi! How can I help you today?', timestamp: '2025-01-06T12:00:01Z' } };
const frames: unknown[] = guide.frames;
void frames;

// @ts-expect-error — `type` must be the wire name, not Modelina's `reservedType`.
const renamed: ChatMessage = { reservedType: 'chatMessage', payload: send.payload };
// @ts-expect-error — missing required `content`.
const missing: ChatMessage = { type: 'chatMessage', payload: { conversationId: 'c', senderId: 's', timestamp: 't' } };
// @ts-expect-error — wrong discriminator for the payload shape.
const wrongType: ChatMessage = { type: 'typingStarted', payload: send.payload };
// @ts-expect-error — unknown property (the schema says additionalProperties: false).
const extra: ChatMessage = { type: 'chatMessage', payload: { conversationId: 'c', senderId: 's', content: 'x', timestamp: 't', mood: 'happy' } };
// @ts-expect-error — a server broadcast (with server-assigned fields) is not something a client may send.
const clientSendsBroadcast: ClientMessage = { type: 'chatMessage', payload: { conversationId: 'c', messageId: 'm', senderId: 's', senderName: 'n', content: 'x', timestamp: 't' } };
// @ts-expect-error — agentAssigned flows server → client only.
const clientAssigns: ClientMessage = { type: 'agentAssigned', payload: { conversationId: 'c', agentId: 'a', agentName: 'n', timestamp: 't' } };

// Narrowing works on the discriminator.
function describe(message: ServerMessage): string {
  switch (message.type) {
    case 'chatMessage':
      return message.payload.senderName;
    case 'error':
      return message.payload.code;
    default:
      return message.type;
  }
}
const narrowed: ServerMessage = receive;
if (isChatMessageBroadcast(narrowed)) void narrowed.payload.messageId;
const byKey: ServerMessageMap['agentAssigned']['payload']['agentName'] = 'Sarah';

// The client: typed send/on/request; wrong payloads do not compile.
const client = createClient({ url: 'ws://127.0.0.1:1/v1/ws/chat', token: 'jwt', reconnect: false });
client.send(send);
client.sendChatMessage(send.payload);
client.on('chatMessage', (message) => void message.payload.senderName);
client.on('state', (state) => void (state satisfies 'connecting' | 'open' | 'reconnecting' | 'closed'));
const reply: Promise<import('../../generated/src/messages.js').MessageDelivered> = client.request(send);
// @ts-expect-error — a client cannot send a server-only message.
client.send({ type: 'agentAssigned', payload: { conversationId: 'c', agentId: 'a', agentName: 'n', timestamp: 't' } });
// @ts-expect-error — payload of the wrong message.
client.sendTypingStarted(send.payload);
// @ts-expect-error — no such server message.
client.on('chatMessages', () => undefined);

// The server: one typed handler per client message; authenticate is required by the document.
const server = createServer<{ userId: string }>({
  port: 0,
  authenticate: ({ token }) => (token === undefined ? null : { userId: 'user_1' }),
  handlers: {
    chatMessage: (message, ctx) => {
      void message.payload.content;
      ctx.reply({ type: 'messageDelivered', payload: { conversationId: 'conv_a', messageId: 'msg_a', timestamp: 't' } });
      // @ts-expect-error — a server cannot send a client-only frame shape.
      ctx.send({ type: 'chatMessage', payload: message.payload });
    },
    messageRead: () => undefined,
    typingStarted: () => undefined,
    typingStopped: () => undefined,
  },
});
// @ts-expect-error — every client message needs a handler, and authenticate is required.
createServer({ port: 0, handlers: { chatMessage: () => undefined } });

export { renamed, missing, wrongType, extra, clientSendsBroadcast, clientAssigns, describe, byKey, reply, server };
