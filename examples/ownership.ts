/**
 * Who owns a conversation: the first customer (`user_…`) to name it. Other customers are
 * refused; agents may join any. With Redis the decision is shared by every instance
 * (`SET owner:<id> <user> NX`), so a customer on another instance cannot claim it too.
 *
 * Only conversations nobody is connected to may be forgotten to bound memory: eviction must
 * never hand a live conversation to whoever names it next.
 */
import type { Redis } from 'ioredis';

/** Decides and remembers conversation owners. */
export interface OwnerStore {
  /** The conversation's owner: `userId` if it had none (it is claimed now). */
  claim(conversationId: string, userId: string): Promise<string>;
  /** Records a connection in the conversation (it cannot be evicted while it has members). */
  enter(connectionId: string, conversationId: string): void;
  /** Forgets a closed connection's memberships. */
  leaveAll(connectionId: string): void;
  close(): Promise<void>;
}

/** Seconds an owner stays recorded in Redis after its last claim (bounds Redis memory too). */
const REDIS_TTL_SECONDS = 7 * 24 * 3600;

/**
 * An owner store in memory (one instance), or backed by Redis when `redisUrl` is given.
 * `limit` bounds the conversations remembered locally; `onEvict` is told which were dropped.
 */
export async function createOwnerStore(options: { redisUrl?: string; limit: number; onEvict: (conversationId: string) => void }): Promise<OwnerStore> {
  const owners = new Map<string, string>();
  const members = new Map<string, number>(); // conversationId → connections in it
  const memberships = new Map<string, Set<string>>(); // connectionId → conversations
  let redis: Redis | undefined;
  if (options.redisUrl !== undefined) {
    const { Redis: RedisClient } = await import('ioredis');
    redis = new RedisClient(options.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    redis.on('error', () => undefined); // reported through failing claims
  }

  const evict = (): void => {
    if (owners.size <= options.limit) return;
    for (const conversationId of owners.keys()) {
      if (owners.size <= options.limit) break;
      if ((members.get(conversationId) ?? 0) > 0) continue; // live: never evicted
      owners.delete(conversationId);
      options.onEvict(conversationId);
    }
  };

  return {
    async claim(conversationId, userId) {
      const known = owners.get(conversationId);
      if (known !== undefined) return known;
      let owner = userId;
      if (redis !== undefined) {
        const key = `wsgen-chat:owner:${conversationId}`;
        const set = await redis.set(key, userId, 'EX', REDIS_TTL_SECONDS, 'NX');
        owner = set === 'OK' ? userId : ((await redis.get(key)) ?? userId);
      }
      owners.set(conversationId, owner);
      evict();
      return owner;
    },
    enter(connectionId, conversationId) {
      let joined = memberships.get(connectionId);
      if (joined === undefined) memberships.set(connectionId, (joined = new Set()));
      if (joined.has(conversationId)) return;
      joined.add(conversationId);
      members.set(conversationId, (members.get(conversationId) ?? 0) + 1);
    },
    leaveAll(connectionId) {
      for (const conversationId of memberships.get(connectionId) ?? []) {
        const count = (members.get(conversationId) ?? 1) - 1;
        if (count <= 0) members.delete(conversationId);
        else members.set(conversationId, count);
      }
      memberships.delete(connectionId);
      evict();
    },
    async close() {
      redis?.disconnect();
    },
  };
}
