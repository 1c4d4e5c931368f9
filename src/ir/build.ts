/**
 * Stage 3: build the IR from the parsed document. This is the only module that reads the
 * parser's model; AsyncAPI 2.x and 3.x both arrive here through the parser's unified API
 * (2.x `publish` = the server receives, `subscribe` = the server sends).
 */
import type { AsyncAPIDocumentInterface, ChannelInterface, MessageInterface, OperationInterface } from '@asyncapi/parser';
import { ErrorCode, WsgenError } from '../errors.js';
import { camelCase, NameRegistry, packageNameFrom, pascalCase, pointerSegment } from './naming.js';
import { SchemaCollector } from './schemas.js';
import type { ApiIR, ChannelIR, MessageIR, MessageUseIR, SecuritySchemeIR, ServerIR } from './types.js';
import { detectDiscriminator, discriminatorValue } from './discriminator.js';

/** Protocols served by the generated WebSocket server and client. */
const WEBSOCKET_PROTOCOLS = new Set(['ws', 'wss']);

/** Schema formats whose payloads are JSON Schema (draft-07 dialect). */
const JSON_SCHEMA_FORMAT = /^application\/(vnd\.aai\.asyncapi(\+json|\+yaml)?|schema(\+json|\+yaml)?)(;version=.*)?$/;

/** Builds the IR. Throws {@link WsgenError} for collisions and unsupported features. */
export function buildIR(document: AsyncAPIDocumentInterface): ApiIR {
  const registry = new NameRegistry();
  const info = document.info();
  const servers = buildServers(document);
  const wsServers = servers.filter((server) => WEBSOCKET_PROTOCOLS.has(server.protocol));

  const messageIds = new Map<object, MessageIR>();
  const payloads = new Map<MessageIR, unknown>();
  const rawMessages: { message: MessageInterface; ir: MessageIR }[] = [];
  const allMessages = [...document.channels().all().flatMap((channel) => channel.messages().all()), ...document.components().messages().all()];
  // The same message written out again under another channel (AsyncAPI 3 keys messages per
  // channel, and some documents repeat e.g. `ErrorResponse` inline in every channel) is one
  // message: it gets one type and one validator, however many channels carry it.
  const messagesByContent = new Map<string, MessageIR>();
  for (const message of allMessages) {
    if (messageIds.has(message.json())) continue;
    const content = contentKey(message);
    const same = content === undefined ? undefined : messagesByContent.get(content);
    if (same !== undefined) {
      messageIds.set(message.json(), same);
      continue;
    }
    const ir = describeMessage(message, registry, rawMessages.length);
    if (content !== undefined) messagesByContent.set(content, ir);
    messageIds.set(message.json(), ir);
    payloads.set(ir, payloadOf(message));
    rawMessages.push({ message, ir });
  }

  const componentSchemas = (document.json() as { components?: { schemas?: Record<string, unknown> } }).components?.schemas ?? {};
  const schemas = new SchemaCollector(registry, (pointer) => resolvePointer(document.json(), pointer), componentSchemas);
  for (const { message, ir } of rawMessages) {
    const path = pointerOf(message) ?? `#/components/messages/${pointerSegment(ir.id)}`;
    const format = message.schemaFormat?.() ?? '';
    if (message.hasPayload() && format !== '' && !JSON_SCHEMA_FORMAT.test(format)) {
      throw new WsgenError({
        code: ErrorCode.UNSUPPORTED,
        message: `unsupported: payload schema format ${format} of message ${ir.id}; wsgen generates code from JSON Schema / AsyncAPI Schema payloads`,
        location: { jsonPath: `${path}/payload` },
      });
    }
    ir.payloadSchema = schemas.addRoot(payloadOf(message) ?? {}, ir.typeName, path);
  }

  const channels = document.channels().all().map((channel) => buildChannel(channel, document, messageIds, payloads, servers));

  return {
    title: info.title(),
    version: info.version(),
    description: info.description(),
    license: info.license()?.name(),
    asyncapiVersion: document.version(),
    defaultPackageName: packageNameFrom(info.title()),
    servers,
    basePath: normalisePath(wsServers[0]?.pathname ?? ''),
    security: buildSecurity(document, wsServers),
    channels,
    messages: rawMessages.map(({ ir }) => ir),
    schemas: schemas.definitions,
    hasWebSocket: channels.some((channel) => channel.isWebSocket),
    notes: registry.notes,
  };
}

/**
 * The payload schema: AsyncAPI 3 allows a Multi Format Schema Object `{ schemaFormat, schema }`
 * in place of a schema; the schema is its `schema`.
 */
function payloadOf(message: MessageInterface): unknown {
  if (!message.hasPayload()) return undefined;
  const json = message.payload()?.json() as Record<string, unknown> | undefined;
  return json !== undefined && typeof json['schemaFormat'] === 'string' && 'schema' in json ? json['schema'] : json;
}

/** The message's JSON pointer as `#/…`, as the parser recorded it. */
function pointerOf(message: MessageInterface): string | undefined {
  const pointer = message.meta().pointer;
  return pointer === undefined ? undefined : pointer.startsWith('#') ? pointer : `#${pointer}`;
}

/**
 * A message's id and content as a string, the parser's schema ids included (so only messages
 * whose payloads are the very same schemas compare equal); undefined when it cannot be
 * serialised (a recursive payload), which only forgoes merging.
 */
function contentKey(message: MessageInterface): string | undefined {
  try {
    return JSON.stringify([message.id(), message.json()]);
  } catch {
    return undefined;
  }
}

function describeMessage(message: MessageInterface, registry: NameRegistry, index: number): MessageIR {
  const rawId = message.id();
  const anonymous = rawId === undefined || rawId === '' || rawId.startsWith('<anonymous');
  const id = anonymous ? message.name() ?? message.title() ?? `message${index + 1}` : rawId;
  const path = pointerOf(message) ?? `#/components/messages/${pointerSegment(id)}`;
  // An inline payload is named after its message (no alias), so both claim the name with one key.
  const payload = payloadOf(message);
  // So is a payload whose component name maps to the message's name (message `alert`, schema `Alert`).
  const payloadId = typeof payload === 'object' && payload !== null ? String((payload as Record<string, unknown>)['x-parser-schema-id'] ?? '<anonymous') : undefined;
  const name = pascalCase(id, 'Message');
  const sharesPayloadName = payloadId !== undefined && (payloadId.startsWith('<anonymous') || pascalCase(payloadId, 'Schema') === name);
  // AsyncAPI 3 message keys are unique per channel only: a taken name falls back to `…Message`,
  // then to the channel-prefixed name, and only then is it a collision.
  const channelId = /^#\/channels\/([^/]+)\//.exec(path)?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
  const candidates = [name, `${name}Message`, ...(channelId === undefined ? [] : [pascalCase(`${channelId} ${id}`, 'Message')])];
  const typeName = registry.claimFirst(candidates, sharesPayloadName ? payload : message.json(), `message ${id} at ${path}`);
  const location = message.correlationId()?.location();
  return {
    id,
    typeName,
    identifier: camelCase(id),
    payloadSchema: typeName,
    title: message.title(),
    summary: message.summary(),
    description: message.description(),
    examples: message
      .examples()
      .all()
      .filter((example) => example.hasPayload())
      .map((example) => ({ name: example.name(), payload: example.payload() })),
    correlationProperty: location === undefined ? undefined : topLevelProperty(location),
    deprecated: (message.json() as { deprecated?: unknown }).deprecated === true,
  };
}

/** `$message.payload#/id` → `id`; undefined for header or nested locations. */
function topLevelProperty(location: string): string | undefined {
  const match = /^\$message\.payload#\/([^/]+)$/.exec(location);
  return match?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
}

function buildServers(document: AsyncAPIDocumentInterface): ServerIR[] {
  return document.servers().all().map((server) => {
    const protocol = server.protocol().toLowerCase();
    const rawUrl = server.url();
    // 2.x allows a url without a scheme (`api.example.com/v1`); the protocol supplies it.
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl) ? rawUrl : `${protocol}://${rawUrl.replace(/^\/+/, '')}`;
    // The 2.x model derives host and pathname with `new URL(url)`, which throws without a scheme.
    let host = attempt(() => server.host()) ?? '';
    let pathname = attempt(() => server.pathname()) ?? '';
    try {
      const parsed = new URL(url.replace(/\{[^}]*\}/g, 'x'));
      host ||= parsed.host;
      if (pathname === '' && parsed.pathname !== '/') pathname = decodeURI(parsed.pathname);
    } catch {
      // Templated or unusual URLs keep what the parser reported.
    }
    return {
      id: server.id(),
      protocol,
      host,
      pathname,
      url,
      description: server.description(),
      security: server.security().flatMap((requirement) => requirement.all().map((entry) => schemeId(document, entry.scheme().json()))).filter((id): id is string => id !== undefined),
    };
  });
}

/** Follows a local JSON pointer (`#/components/schemas/X`) through the document. */
function resolvePointer(root: unknown, pointer: string): unknown {
  let node: unknown = root;
  for (const segment of pointer.replace(/^#\//, '').split('/')) {
    const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function schemeId(document: AsyncAPIDocumentInterface, json: unknown): string | undefined {
  // Schemes reached through a server have no id; match them against the components by identity.
  return document.components().securitySchemes().all().find((scheme) => scheme.json() === json)?.id();
}

function buildSecurity(document: AsyncAPIDocumentInterface, wsServers: ServerIR[]): SecuritySchemeIR[] {
  const used = new Set(wsServers.flatMap((server) => server.security));
  return document
    .components()
    .securitySchemes()
    .all()
    .filter((scheme) => used.has(scheme.id()))
    .map((scheme) => {
      const json = scheme.json() as Record<string, unknown>;
      const extension = json['x-wsgen-transport'];
      const subprotocol = typeof json['x-wsgen-subprotocol'] === 'string' ? json['x-wsgen-subprotocol'] : 'bearer';
      const location = scheme.in();
      let transport: SecuritySchemeIR['transport'] = 'other';
      let name: string | undefined;
      if (extension === 'subprotocol') transport = 'subprotocol';
      else if ((scheme.type() === 'httpApiKey' || scheme.type() === 'apiKey') && (location === 'query' || location === 'header' || location === 'cookie')) {
        transport = location;
        name = scheme.name();
      } else if (scheme.type() === 'http' || scheme.type() === 'oauth2' || scheme.type() === 'openIdConnect') {
        transport = 'header';
        name = 'Authorization';
      }
      return { id: scheme.id(), type: scheme.type(), transport, name, subprotocol: transport === 'subprotocol' ? subprotocol : undefined, description: scheme.description() };
    });
}

function buildChannel(channel: ChannelInterface, document: AsyncAPIDocumentInterface, messageIds: Map<object, MessageIR>, payloads: Map<MessageIR, unknown>, servers: ServerIR[]): ChannelIR {
  const channelServers = channel.servers().all().map((server) => server.id());
  const protocols = [...new Set(servers.filter((server) => channelServers.length === 0 || channelServers.includes(server.id)).map((server) => server.protocol))];
  const isWebSocket = protocols.length === 0 || protocols.some((protocol) => WEBSOCKET_PROTOCOLS.has(protocol));
  const operations = document.operations().all().filter((operation) => operation.channels().all().some((candidate) => candidate.json() === channel.json()));
  const lookup = (message: MessageInterface): MessageIR => {
    const ir = messageIds.get(message.json());
    if (ir === undefined) throw new Error(`internal: message ${message.id()} was not collected`);
    return ir;
  };
  const collect = (receive: boolean): MessageIR[] => {
    const found: MessageIR[] = [];
    for (const operation of operations.filter((op) => (receive ? op.isReceive() : op.isSend()))) {
      const messages = operation.messages().all();
      for (const message of messages.length > 0 ? messages : channel.messages().all()) {
        const ir = lookup(message);
        if (!found.includes(ir)) found.push(ir);
      }
    }
    return found;
  };
  const clientToServer = collect(true);
  const serverToClient = collect(false);
  const discriminator = detectDiscriminator([clientToServer, serverToClient].map((list) => list.map((ir) => payloads.get(ir))));
  const uses = (list: MessageIR[], direction: string): MessageUseIR[] => {
    const keys = new Set<string>();
    return list.map((ir) => {
      const value = discriminator === undefined ? undefined : discriminatorValue(payloads.get(ir), discriminator);
      const key = value ?? ir.identifier;
      if (keys.has(key)) {
        throw new WsgenError({
          code: ErrorCode.NAME_COLLISION,
          message: `two ${direction} messages of channel ${channel.id()} share the key \`${key}\`; give them distinct discriminator values or names`,
          location: { jsonPath: `#/channels/${pointerSegment(channel.id())}` },
        });
      }
      keys.add(key);
      return { messageId: ir.id, key, discriminatorValue: value };
    });
  };
  const clientUses = uses(clientToServer, 'client→server');
  const serverUses = uses(serverToClient, 'server→client');
  const keyOf = (ir: MessageIR, list: MessageUseIR[]): string => list.find((use) => use.messageId === ir.id)?.key ?? ir.identifier;
  const address = channel.address() ?? `/${channel.id()}`;
  return {
    id: channel.id(),
    typeName: pascalCase(channel.id(), 'Channel'),
    address: address.startsWith('/') ? address : `/${address}`,
    title: (channel.json() as { title?: string }).title,
    description: channel.description(),
    parameters: channel.parameters().all().map((parameter) => ({
      name: parameter.id(),
      description: parameter.description(),
      schema: (parameter.schema()?.json() as Record<string, unknown> | undefined) ?? undefined,
    })),
    isWebSocket,
    protocols,
    discriminator,
    clientToServer: clientUses,
    serverToClient: serverUses,
    replies: buildReplies(operations, clientToServer, serverToClient, lookup).map((reply) => ({
      requestKey: keyOf(reply.request, clientUses),
      replyKeys: reply.replies.map((ir) => keyOf(ir, serverUses)),
      correlationProperty: reply.correlationProperty,
    })),
  };
}

interface ReplyPair {
  request: MessageIR;
  replies: MessageIR[];
  correlationProperty: string;
}

function buildReplies(operations: OperationInterface[], requests: MessageIR[], replies: MessageIR[], lookup: (message: MessageInterface) => MessageIR): ReplyPair[] {
  const result: ReplyPair[] = [];
  for (const operation of operations.filter((op) => op.isReceive())) {
    const reply = operation.reply();
    if (reply === undefined) continue;
    const replyMessages = reply.messages().all().map(lookup).filter((ir) => replies.includes(ir));
    for (const request of operation.messages().all().map(lookup).filter((ir) => requests.includes(ir))) {
      const correlationProperty = request.correlationProperty ?? replyMessages.find((ir) => ir.correlationProperty !== undefined)?.correlationProperty;
      if (correlationProperty === undefined || replyMessages.length === 0) continue;
      result.push({ request, replies: replyMessages, correlationProperty });
    }
  }
  return result;
}

function normalisePath(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, '');
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
