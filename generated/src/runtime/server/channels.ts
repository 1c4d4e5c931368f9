/**
 * Per-channel lookups computed once at startup, so the per-frame path only reads maps.
 */
import { isPlainObject, matchAddress, type ApiProtocol, type ChannelProtocol, type ReplyRoute } from '../protocol.js';
import type { MessageHandler } from './options.js';

/** A channel with its handlers and precomputed lookups. */
export interface ChannelRuntime<P> {
  /** The channel from the protocol. */
  readonly channel: ChannelProtocol;
  /** Base path plus address, e.g. `/v1/rooms/{roomId}`. */
  readonly template: string;
  /** Handlers by message key (a Map, so keys like `constructor` cannot hit Object.prototype). */
  readonly handlers: ReadonlyMap<string, MessageHandler<P>>;
  /** Server→client message key by discriminator value. */
  readonly outgoingKeys: ReadonlyMap<string, string>;
  /** Request/reply pairs by request key (a Map for the same reason). */
  readonly replies: ReadonlyMap<string, ReplyRoute>;
  /** Every correlation property used by the channel's replies (usually just `id`). */
  readonly correlationProperties: readonly string[];
}

/** Builds the runtime view of every channel, in document order. */
export function buildChannelRuntimes<P>(
  protocol: ApiProtocol,
  basePath: string,
  handlers: Record<string, Record<string, MessageHandler<P>>>,
): ChannelRuntime<P>[] {
  return protocol.channels.map((channel) => ({
    channel,
    template: basePath + channel.address,
    handlers: new Map(Object.entries(handlers[channel.id] ?? {})),
    outgoingKeys: new Map(
      channel.serverToClient.flatMap((route) => (route.discriminatorValue === undefined ? [] : [[route.discriminatorValue, route.key] as const])),
    ),
    replies: new Map(Object.entries(channel.replies)),
    correlationProperties: [...new Set(Object.values(channel.replies).map((reply) => reply.correlationProperty))],
  }));
}

/** Finds the channel whose address matches `pathname`, with its decoded parameters. */
export function matchChannel<P>(
  channels: readonly ChannelRuntime<P>[],
  pathname: string,
): { runtime: ChannelRuntime<P>; params: Record<string, string> } | undefined {
  for (const runtime of channels) {
    const params = matchAddress(runtime.template, pathname);
    if (params !== undefined) return { runtime, params };
  }
  return undefined;
}

/**
 * Key of an outgoing message: by discriminator, or the only server→client message.
 * Undefined when it cannot be told without validating.
 */
export function outgoingKey<P>(runtime: ChannelRuntime<P>, message: Record<string, unknown>): string | undefined {
  const { discriminator, serverToClient } = runtime.channel;
  if (discriminator === undefined) return serverToClient.length === 1 ? serverToClient[0]?.key : undefined;
  const value = message[discriminator];
  return typeof value === 'string' ? runtime.outgoingKeys.get(value) : undefined;
}

/**
 * Correlation id of an incoming frame for error `ref`s: the request's own correlation
 * property when `key` declares a reply, else the first of the channel's that is present.
 */
export function correlationIdOf<P>(runtime: ChannelRuntime<P>, frame: unknown, key: string | undefined): string | undefined {
  if (!isPlainObject(frame)) return undefined;
  const reply = key === undefined ? undefined : runtime.replies.get(key);
  const properties = reply === undefined ? runtime.correlationProperties : [reply.correlationProperty];
  for (const property of properties) {
    const value = frame[property];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}
