/**
 * Topic membership of this instance's connections, and the PubSub subscriptions behind it:
 * one subscription per topic with at least one local member, so a payload is turned into a
 * Buffer once and written to every member.
 */
import type { PubSub } from '../pubsub/pubsub.js';

/** What the registry needs from a connection. */
export interface TopicMember {
  /** Topics this member joined (kept by the member, so leaving everything on close is cheap). */
  readonly topics: Set<string>;
  /** Writes an already-serialised, already-validated frame; false when the connection is closing. */
  sendPrepared(data: Buffer): boolean;
}

/** Joins, leaves and local delivery of topic messages. */
export class TopicRegistry {
  private readonly members = new Map<string, Set<TopicMember>>();
  /** Subscribe calls by topic, so concurrent joins share one and later joins await it. */
  private readonly subscriptions = new Map<string, Promise<void>>();

  /** @param pubsub Transport between instances. */
  constructor(private readonly pubsub: PubSub) {}

  /** Adds `member` to `topic`; resolves once the topic's PubSub subscription is active. */
  join(topic: string, member: TopicMember): Promise<void> {
    let members = this.members.get(topic);
    if (members === undefined) {
      members = new Set();
      this.members.set(topic, members);
    }
    members.add(member);
    member.topics.add(topic);
    let subscription = this.subscriptions.get(topic);
    if (subscription === undefined) {
      subscription = this.pubsub.subscribe(topic, (payload) => this.deliver(topic, payload));
      this.subscriptions.set(topic, subscription);
      const settled = subscription;
      // Forget a failed subscribe so the next join retries it.
      settled.catch(() => {
        if (this.subscriptions.get(topic) === settled) this.subscriptions.delete(topic);
      });
    }
    return subscription;
  }

  /** Removes `member` from `topic`; unsubscribes when it was the last local member. */
  async leave(topic: string, member: TopicMember): Promise<void> {
    member.topics.delete(topic);
    const members = this.members.get(topic);
    if (members === undefined || !members.delete(member) || members.size > 0) return;
    this.members.delete(topic);
    this.subscriptions.delete(topic);
    await this.pubsub.unsubscribe(topic);
  }

  /** Removes `member` from every topic it joined (on disconnect). Errors go to `onError`. */
  leaveAll(member: TopicMember, onError: (error: unknown) => void): void {
    for (const topic of [...member.topics]) this.leave(topic, member).catch(onError);
  }

  private deliver(topic: string, payload: string): void {
    const members = this.members.get(topic);
    if (members === undefined || members.size === 0) return;
    // Encode once; ws writes the same Buffer to every socket.
    const data = Buffer.from(payload);
    for (const member of members) member.sendPrepared(data);
  }
}
