/**
 * The Petstore support chat, on top of the generated server: conversations are pub/sub topics,
 * messages get a server-assigned id and are fanned out to the conversation on every instance,
 * the sender gets `messageDelivered` (deduplicated by the frame's `id`, so a re-sent message is
 * stored once), read receipts and typing indicators are relayed, and the first customer message
 * of a conversation triggers `agentAssigned`.
 */
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { createServer, redisPubSub, type PubSub, type Server, type ServerLimits } from '../generated/src/server.js';
import type { HandlerContext } from '../generated/src/server.js';
import { verifyToken, type ChatPrincipal, type TokenOptions } from './tokens.js';
import { createOwnerStore } from './ownership.js';

/** Options of {@link createChatServer}. */
export interface ChatServerOptions {
  port?: number;
  host?: string;
  server?: HttpServer;
  tokens: TokenOptions;
  /** `redis://…` to share conversations across instances. */
  redisUrl?: string;
  pubsub?: PubSub;
  allowedOrigins?: string[];
  limits?: Partial<ServerLimits>;
  /** Where operational events go (never tokens). Default: nowhere. */
  log?: (line: string) => void;
}

/** The running chat: the server plus a little introspection for tests. */
export interface ChatServer {
  server: Server;
  /** Stored messages per conversation. */
  conversations: Map<string, { messageId: string; senderId: string; content: string }[]>;
}

/** At most this many messages are kept per conversation, this many ids for deduplication, and this many conversations. */
const HISTORY_LIMIT = 1000;
const DEDUPE_LIMIT = 10_000;
const CONVERSATION_LIMIT = 10_000;

const topicOf = (conversationId: string): string => `conversation:${conversationId}`;
const now = (): string => new Date().toISOString();
const newMessageId = (): string => `msg_${randomUUID().replace(/-/g, '').slice(0, 20)}`;

/** Creates (but does not start) the chat server. */
export function createChatServer(options: ChatServerOptions): ChatServer {
  const log = options.log ?? (() => undefined);
  const conversations = new Map<string, { messageId: string; senderId: string; content: string }[]>();
  const assigned = new Set<string>();
  // Who opened each conversation (other customers may not join it; agents may): see ownership.ts.
  const owners = createOwnerStore({ redisUrl: options.redisUrl, limit: CONVERSATION_LIMIT, onEvict: (conversationId) => forget(conversationId) });
  // `${senderId}:${frameId}` → messageId, so a request re-sent after a reconnect is stored once.
  const delivered = new Map<string, string>();

  const forget = (conversationId: string): void => {
    conversations.delete(conversationId);
    assigned.delete(conversationId);
  };
  /** Keeps the message history of at most CONVERSATION_LIMIT conversations (oldest dropped first). */
  const evictConversations = (): void => {
    while (conversations.size > CONVERSATION_LIMIT) forget(conversations.keys().next().value as string);
  };

  /**
   * Joins the sender to the conversation, or answers `forbidden` (and returns false) when it is
   * another customer's. The first customer to name a conversation opens it.
   */
  const joinConversation = async (ctx: HandlerContext<ChatPrincipal>, conversationId: string, frameId?: string): Promise<boolean> => {
    const { userId } = ctx.principal;
    const store = await owners;
    if (userId.startsWith('user_') && (await store.claim(conversationId, userId)) !== userId) {
      ctx.send({ type: 'error', payload: { code: 'forbidden', message: 'This conversation belongs to another customer.', ref: frameId === undefined ? {} : { id: frameId } } });
      return false;
    }
    store.enter(ctx.connectionId, conversationId);
    await ctx.join(topicOf(conversationId));
    return true;
  };

  const server = createServer<ChatPrincipal>({
    port: options.port,
    host: options.port === undefined ? undefined : (options.host ?? '127.0.0.1'),
    server: options.server,
    authenticate: ({ token }) => verifyToken(token, options.tokens),
    principalExpiresAt: (principal) => principal.expiresAt,
    allowedOrigins: options.allowedOrigins,
    pubsub: options.pubsub ?? (options.redisUrl === undefined ? undefined : redisPubSub({ url: options.redisUrl, onError: (error) => log(`redis: ${(error as Error).message}`) })),
    limits: options.limits,
    hooks: {
      onConnect: (connection) => log(`connect ${connection.id} ${connection.principal.userId}`),
      onDisconnect: (connection, code) => {
        void owners.then((store) => store.leaveAll(connection.id));
        log(`disconnect ${connection.id} ${code}`);
      },
      onError: (error) => log(`error: ${(error as Error).message}`),
    },
    handlers: {
      chatMessage: async (message, ctx) => {
        const { conversationId, content } = message.payload;
        const senderId = ctx.principal.userId; // the token says who is speaking, not the frame
        if (!(await joinConversation(ctx, conversationId, message.id))) return;
        const dedupeKey = message.id === undefined ? undefined : `${senderId}:${message.id}`;
        const known = dedupeKey === undefined ? undefined : delivered.get(dedupeKey);
        if (known !== undefined) {
          ctx.reply({ type: 'messageDelivered', payload: { conversationId, messageId: known, timestamp: now() } });
          return;
        }
        const messageId = newMessageId();
        if (dedupeKey !== undefined) {
          delivered.set(dedupeKey, messageId);
          if (delivered.size > DEDUPE_LIMIT) delivered.delete(delivered.keys().next().value as string);
        }
        const history = conversations.get(conversationId) ?? [];
        history.push({ messageId, senderId, content });
        if (history.length > HISTORY_LIMIT) history.shift();
        conversations.set(conversationId, history);
        evictConversations();
        const timestamp = now();
        await ctx.publish(topicOf(conversationId), { type: 'chatMessage', payload: { conversationId, messageId, senderId, senderName: ctx.principal.name, content, timestamp } });
        ctx.reply({ type: 'messageDelivered', payload: { conversationId, messageId, timestamp } });
        if (senderId.startsWith('user_') && !assigned.has(conversationId)) {
          assigned.add(conversationId);
          await ctx.publish(topicOf(conversationId), { type: 'agentAssigned', payload: { conversationId, agentId: 'agent_sarah', agentName: 'Sarah Johnson', timestamp: now() } });
        }
      },
      messageRead: async (message, ctx) => {
        if (!(await joinConversation(ctx, message.payload.conversationId))) return;
        await ctx.publish(topicOf(message.payload.conversationId), { type: 'messageRead', payload: { ...message.payload, readBy: ctx.principal.userId } });
      },
      typingStarted: async (message, ctx) => {
        if (!(await joinConversation(ctx, message.payload.conversationId))) return;
        await ctx.publish(topicOf(message.payload.conversationId), { type: 'typingStarted', payload: { ...message.payload, userId: ctx.principal.userId } });
      },
      typingStopped: async (message, ctx) => {
        if (!(await joinConversation(ctx, message.payload.conversationId))) return;
        await ctx.publish(topicOf(message.payload.conversationId), { type: 'typingStopped', payload: { ...message.payload, userId: ctx.principal.userId } });
      },
    },
  });
  // Closing the chat also closes its ownership store (its Redis connection).
  const chatServer: Server = {
    listen: () => server.listen(),
    address: () => server.address(),
    stats: () => server.stats(),
    publish: (topic, message) => server.publish(topic, message),
    close: async (closeOptions) => {
      try {
        await server.close(closeOptions);
      } finally {
        await (await owners).close();
      }
    },
  };
  return { server: chatServer, conversations };
}
