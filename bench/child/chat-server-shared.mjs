/**
 * What the raw and the generated bench servers share, so both do exactly the same work per
 * message: the endpoint, the token, the principal, and the replies they build.
 */

/** Endpoint, token and principal of the bench servers (the chat channel of `asyncapi.yaml`). */
export const BENCH = Object.freeze({
  path: '/v1/ws/chat',
  token: 'bench-token',
  principal: Object.freeze({ userId: 'user_bench', name: 'Bench' }),
  broadcastContent: 'A message for everyone in the conversation, fanned out by the bench.',
});

let messageCounter = 0;

/** `conversation:<id>`, the topic of a conversation. */
export const topicOf = (conversationId) => `conversation:${conversationId}`;

/** Payload of the `messageDelivered` reply to a `chatMessage` frame (server-assigned id, now). */
export function deliveredPayload(frame) {
  return { conversationId: frame.payload.conversationId, messageId: `msg_${++messageCounter}`, timestamp: new Date().toISOString() };
}

/** The chat message a `typingStarted` frame makes the bench server publish to its conversation. */
export function broadcastFor(frame) {
  return {
    type: 'chatMessage',
    payload: {
      conversationId: frame.payload.conversationId,
      messageId: `msg_${++messageCounter}`,
      senderId: BENCH.principal.userId,
      senderName: BENCH.principal.name,
      content: BENCH.broadcastContent,
      timestamp: new Date().toISOString(),
    },
  };
}
