/**
 * A browser-only TypeScript consumer: the client and the validators, type-checked with the DOM
 * library and no `@types/node` (a web app has neither Node typings nor `ws`). Proves that the
 * published client declarations do not reach into Node or `ws` types.
 */
import { validateChatMessageBroadcast, type ChatMessage } from 'petstore-support-chat';
import { createClient } from 'petstore-support-chat/client';

const client = createClient({ url: 'wss://chat.example.com/v1/ws/chat', token: () => 'jwt', WebSocket });
const message: ChatMessage = { type: 'chatMessage', payload: { conversationId: 'conv_a', senderId: 'user_a', content: 'hi', timestamp: '2025-01-06T12:00:00Z' } };
client.sendChatMessage(message.payload);
client.on('chatMessage', (broadcast) => {
  const checked = validateChatMessageBroadcast(broadcast);
  document.title = checked.ok ? checked.value.payload.senderName : 'invalid';
});
// @ts-expect-error — the payload of another message.
client.sendMessageRead(message.payload);

export { client };
