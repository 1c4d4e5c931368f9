/**
 * View data for the typed server and client layers: per WebSocket channel, the names of its
 * context, handler map and client types, its request/reply pairs, convenience senders and
 * default URL. Naming decisions live here, not in the templates.
 */
import { literal, resolveSchema, type SchemaObject } from './ir-helpers.js';
import type { ApiIR, ChannelIR, MessageIR } from '../ir/types.js';
import { pascalCase } from '../ir/naming.js';




/**
 * A frame `{ <discriminator>, payload, <correlation>? }` gets a `send<Key>(payload)` helper:
 * the envelope is filled in, only the payload is the caller's.
 */
function envelopeOf(ir: ApiIR, channel: ChannelIR, message: MessageIR): boolean {
  const schema = resolveSchema(ir, ir.schemas[message.payloadSchema]);
  const properties = Object.keys((schema?.['properties'] as SchemaObject | undefined) ?? {});
  const allowed = new Set([channel.discriminator, 'payload', message.correlationProperty]);
  return channel.discriminator !== undefined && properties.includes('payload') && properties.every((property) => allowed.has(property));
}

/** Per-channel names and data for server.ts / client.ts. */
export function runtimeView(ir: ApiIR, unionNames: Map<string, { client: string; server: string }>) {
  const byId = new Map(ir.messages.map((message) => [message.id, message]));
  const wsChannels = ir.channels.filter((channel) => channel.isWebSocket);
  const single = wsChannels.length === 1;
  const baseUrl = ir.servers.find((server) => server.protocol === 'ws' || server.protocol === 'wss')?.url.replace(/\/+$/, '');
  const channels = wsChannels.map((channel) => {
      const prefix = single ? '' : channel.typeName;
      const unions = unionNames.get(channel.id) ?? { client: 'never', server: 'never' };
      const lookup = (id: string): MessageIR => byId.get(id) as MessageIR;
      return {
        id: literal(channel.id),
        rawId: channel.id,
        address: `${ir.basePath}${channel.address}`,
        contextName: `${prefix}HandlerContext`,
        handlersName: `${prefix}Handlers`,
        clientName: `${prefix}Client`,
        clientOptionsName: `${prefix}ClientOptions`,
        createClientName: `create${prefix}Client`,
        clientUnion: unions.client,
        serverUnion: unions.server,
        clientMapName: unions.client === 'never' ? undefined : `${unions.client}Map`,
        serverMapName: unions.server === 'never' ? undefined : `${unions.server}Map`,
        serverKeyName: unions.server === 'never' ? undefined : `${unions.server}Key`,
        handlers: channel.clientToServer.map((use) => ({ key: literal(use.key), property: /^[A-Za-z_$][\w$]*$/.test(use.key) ? use.key : literal(use.key), typeName: lookup(use.messageId).typeName, doc: lookup(use.messageId).summary ?? lookup(use.messageId).title ?? '' })),
        requests: channel.replies.map((reply) => {
          const request = channel.clientToServer.find((use) => use.key === reply.requestKey);
          const replies = reply.replyKeys.map((key) => channel.serverToClient.find((use) => use.key === key)).filter((use) => use !== undefined);
          return { requestType: request === undefined ? 'never' : lookup(request.messageId).typeName, replyType: replies.map((use) => lookup(use.messageId).typeName).join(' | ') || 'never' };
        }),
        senders: channel.clientToServer
          .filter((use) => envelopeOf(ir, channel, lookup(use.messageId)))
          .map((use) => ({ name: `send${pascalCase(use.key, '')}`, typeName: lookup(use.messageId).typeName, discriminator: channel.discriminator ?? '', value: literal(use.discriminatorValue ?? use.key), doc: lookup(use.messageId).summary ?? '' })),
        parameters: channel.parameters.map((parameter) => ({ name: parameter.name, literal: literal(parameter.name) })),
        defaultUrl: baseUrl === undefined ? undefined : literal(`${baseUrl}${channel.address}`),
      };
    });
  const unique = (names: (string | undefined)[]): string[] => [...new Set(names.filter((name): name is string => name !== undefined && name !== 'never'))].sort();
  return {
    single,
    channels,
    /** Types server.ts imports from messages.ts. */
    serverImports: unique(channels.flatMap((channel) => [channel.serverUnion, ...channel.handlers.map((handler) => handler.typeName)])),
    /** Types client.ts imports from messages.ts. */
    clientImports: unique(channels.flatMap((channel) => [channel.clientUnion, channel.serverMapName, channel.serverKeyName, ...channel.requests.flatMap((request) => [request.requestType, ...request.replyType.split(' | ')]), ...channel.senders.map((sender) => sender.typeName)])),
    serverUrls: ir.servers.filter((server) => server.protocol === 'ws' || server.protocol === 'wss').map((server) => ({ id: literal(server.id), url: literal(server.url.replace(/\/+$/, '')) })),
    requiresAuth: ir.security.length > 0,
  };
}
