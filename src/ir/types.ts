/**
 * wsgen's intermediate representation: plain, serialisable data built from the parsed
 * document by `ir/build.ts`. Renderers see only this; nothing from @asyncapi/parser or
 * Modelina leaks past the builder.
 */

/** A JSON Schema (draft-07 dialect, as AsyncAPI schemas are) with `$ref`s into {@link ApiIR.schemas}. */
export type JsonSchema = { [keyword: string]: unknown } | boolean;

/** The whole API. */
export interface ApiIR {
  /** `info.title`. */
  title: string;
  /** `info.version`. */
  version: string;
  /** `info.description`, if any. */
  description?: string;
  /** `info.license.name` (an SPDX id such as `MIT`, ideally), if any. */
  license?: string;
  /** The document's `asyncapi` version, e.g. `3.0.0`. */
  asyncapiVersion: string;
  /** npm-safe default package name derived from the title. */
  defaultPackageName: string;
  /** Servers in document order. */
  servers: ServerIR[];
  /** Path prefix of the WebSocket endpoints (the first ws server's pathname), e.g. `/v1`. */
  basePath: string;
  /** Security schemes used by WebSocket servers, in document order. */
  security: SecuritySchemeIR[];
  /** Channels in document order. */
  channels: ChannelIR[];
  /** Every message of the document, deduplicated, in document order. */
  messages: MessageIR[];
  /** Named schemas (`#/definitions/<name>` targets), in order of first use. */
  schemas: Record<string, JsonSchema>;
  /** True when at least one channel is served over WebSocket (server and client are emitted). */
  hasWebSocket: boolean;
  /** Naming decisions worth telling the user (a name that fell back to an alternative). */
  notes: string[];
}

/** One `servers` entry. */
export interface ServerIR {
  id: string;
  /** `ws`, `wss`, `mqtt`, … (lower-case). */
  protocol: string;
  host: string;
  pathname: string;
  /** Full URL, e.g. `wss://api.example.com/v1`. */
  url: string;
  description?: string;
  /** Ids of the security schemes this server requires. */
  security: string[];
}

/** A security scheme, reduced to where the token travels. */
export interface SecuritySchemeIR {
  id: string;
  /** AsyncAPI scheme type, e.g. `httpApiKey`, `http`. */
  type: string;
  /** Where the token is carried at the WebSocket upgrade. */
  transport: 'query' | 'header' | 'subprotocol' | 'cookie' | 'other';
  /** Query parameter or header name (for `query` / `header`). */
  name?: string;
  /** Subprotocol announcing the token (for `subprotocol`), e.g. `bearer`. */
  subprotocol?: string;
  description?: string;
}

/** One channel (for WebSocket: one endpoint). */
export interface ChannelIR {
  /** The document's channel key. */
  id: string;
  /** Identifier-safe PascalCase name, e.g. `Chat`. */
  typeName: string;
  /** Address relative to the base path, e.g. `/ws/chat`; `/` when the document gives none. */
  address: string;
  title?: string;
  description?: string;
  /** Address parameters in address order. */
  parameters: ParameterIR[];
  /** True when served over ws/wss (or no protocol is declared). */
  isWebSocket: boolean;
  /** Protocols of the servers this channel is available on. */
  protocols: string[];
  /** Top-level property naming the message in every frame of this channel, when there is one. */
  discriminator?: string;
  /** Messages clients send (the server's `receive` operations / 2.x `publish`). */
  clientToServer: MessageUseIR[];
  /** Messages the server sends (`send` operations / 2.x `subscribe`). */
  serverToClient: MessageUseIR[];
  /** Request/reply pairs declared with AsyncAPI 3 `reply`. */
  replies: ReplyIR[];
}

/** A channel address parameter such as `roomId` in `/rooms/{roomId}`. */
export interface ParameterIR {
  name: string;
  description?: string;
  /** Schema of the value (a string schema), when given. */
  schema?: JsonSchema;
}

/** A message as used in one direction of one channel. */
export interface MessageUseIR {
  /** Id of the {@link MessageIR}. */
  messageId: string;
  /** Key for handlers and listeners: the discriminator value, or the message's identifier. */
  key: string;
  /** Discriminator value, when the channel has a discriminator. */
  discriminatorValue?: string;
}

/** A request/reply pair. */
export interface ReplyIR {
  /** Key of the client→server request message. */
  requestKey: string;
  /** Keys of the server→client replies. */
  replyKeys: string[];
  /** Top-level frame property carrying the correlation id, e.g. `id`. */
  correlationProperty: string;
}

/** One message of the document. */
export interface MessageIR {
  /** Stable id: the message's key in the document (component or channel key). */
  id: string;
  /** PascalCase type name, e.g. `ChatMessage`. */
  typeName: string;
  /** camelCase identifier, e.g. `chatMessage`. */
  identifier: string;
  /** Name of the payload schema in {@link ApiIR.schemas}. */
  payloadSchema: string;
  title?: string;
  summary?: string;
  description?: string;
  /** Example payloads (whole frames) given in the document. */
  examples: { name?: string; payload: unknown }[];
  /** Top-level property carrying the correlation id (from `correlationId.location`). */
  correlationProperty?: string;
  /** True when `deprecated: true`. */
  deprecated: boolean;
}
