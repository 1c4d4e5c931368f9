/**
 * The API-specific description a generated package hands to the generic runtime.
 *
 * Generated code builds one `ApiProtocol` object from the AsyncAPI document (see the generated
 * `protocol.ts`); the server and client machinery in this folder only ever read this shape, so
 * the runtime stays the same for every API. This file has no Node or browser dependencies.
 */

/** One problem found while validating a value against a message schema. */
export interface ValidationIssue {
  /** JSON Pointer into the validated value, `''` for the root (e.g. `/payload/content`). */
  path: string;
  /** Human-readable reason, e.g. `must NOT have more than 2000 characters`. */
  message: string;
}

/** Outcome of a validator: the typed value, or every issue found. */
export type ValidationResult<T> =
  | { ok: true; value: T }
  | { ok: false; issues: ValidationIssue[] };

/** A generated validator for one message (or one address parameter). */
export type Validator<T = unknown> = (value: unknown) => ValidationResult<T>;

/** One message a channel carries in one direction. */
export interface MessageRoute {
  /**
   * Key used for handlers and listeners: the discriminator value when the message has one
   * (e.g. `chatMessage`), else the message name.
   */
  key: string;
  /** Value of the channel's discriminator property for this message, when it has one. */
  discriminatorValue?: string;
  /** Validates a whole decoded frame (envelope included) as this message. */
  validate: Validator;
}

/** A request/reply pair declared with an AsyncAPI 3 `reply` and a `correlationId`. */
export interface ReplyRoute {
  /** Keys of the messages (in the opposite direction) that answer the request. */
  replyKeys: string[];
  /** Top-level frame property carrying the correlation id in request and reply, e.g. `id`. */
  correlationProperty: string;
}

/** One channel (one WebSocket endpoint) of the API. */
export interface ChannelProtocol {
  /** Stable id of the channel: the document's channel key, e.g. `chat`. */
  id: string;
  /** Address relative to the base path, e.g. `/ws/chat` or `/rooms/{roomId}`. */
  address: string;
  /** Validators for the address parameters, by name (absent entries accept any string). */
  parameters: Record<string, Validator<string> | undefined>;
  /** Top-level property naming the message, e.g. `type`; absent when messages carry none. */
  discriminator?: string;
  /** Messages the client sends and the server receives. */
  clientToServer: MessageRoute[];
  /** Messages the server sends and the client receives. */
  serverToClient: MessageRoute[];
  /** Request/reply pairs, keyed by the request's key (request client→server, reply server→client). */
  replies: Record<string, ReplyRoute>;
}

/** How clients present a token at the HTTP upgrade (from the document's security schemes). */
export interface AuthProtocol {
  /** Query parameter carrying the token (`httpApiKey` with `in: query`), e.g. `token`. */
  queryParameter?: string;
  /**
   * Subprotocol that announces a bearer token in `Sec-WebSocket-Protocol`, e.g. `bearer`: the
   * client offers `bearer, <token>` and the server selects `bearer`.
   */
  subprotocol?: string;
  /** Header carrying the token (`httpApiKey` with `in: header`); only non-browser clients can set it. */
  header?: string;
}

/** A protocol-level error the runtime reports to a peer (see `codes.ts` for the codes). */
export interface ProtocolError {
  /** Stable error code, e.g. `invalid_message`. */
  code: string;
  /** One sentence for humans. Never contains tokens or other secrets. */
  message: string;
  /** Validation issues, when the error is about an invalid frame. */
  details?: ValidationIssue[];
  /** The offending frame's discriminator value and correlation id, when known. */
  ref?: { type?: string; id?: string };
}

/** How the API's own error message is built and read (absent when the document declares none). */
export interface ErrorMessageProtocol {
  /** Key of the server→client error message, e.g. `error`. */
  key: string;
  /** Builds a frame of the error message (it must pass that message's validator). */
  toFrame(error: ProtocolError): unknown;
  /** Reads an error frame received by a client. */
  fromFrame(frame: unknown): ProtocolError | undefined;
}

/** Everything the runtime needs to know about one API. */
export interface ApiProtocol {
  /** Title of the API, for messages. */
  title: string;
  /** Base path prepended to every channel address, from the server's pathname (e.g. `/v1`), or `''`. */
  basePath: string;
  /** How clients authenticate; absent when the document declares no security. */
  auth?: AuthProtocol;
  /** The API's error message, used for error frames. */
  errorMessage?: ErrorMessageProtocol;
  /** Every WebSocket channel, in document order. */
  channels: ChannelProtocol[];
}

/** Result of matching a decoded frame against a channel's messages for one direction. */
export type Classification =
  | { ok: true; route: MessageRoute; value: unknown }
  | { ok: false; code: 'unknown_message_type' | 'invalid_message'; type?: string; issues: ValidationIssue[] };

/**
 * Finds which message a decoded JSON frame is and validates it.
 *
 * With a discriminator the frame's property picks the route (unknown value →
 * `unknown_message_type`); without one a lone message is validated directly, and several
 * messages are tried in declaration order, the first that validates winning.
 */
export function classify(routes: readonly MessageRoute[], discriminator: string | undefined, frame: unknown): Classification {
  if (discriminator !== undefined) {
    const type = isPlainObject(frame) ? frame[discriminator] : undefined;
    const route = typeof type === 'string' ? routes.find((candidate) => candidate.discriminatorValue === type) : undefined;
    if (route === undefined) {
      return {
        ok: false,
        code: 'unknown_message_type',
        type: typeof type === 'string' ? type : undefined,
        issues: [{ path: `/${discriminator}`, message: `must be one of: ${routes.map((r) => r.discriminatorValue).join(', ')}` }],
      };
    }
    const result = route.validate(frame);
    return result.ok
      ? { ok: true, route, value: result.value }
      : { ok: false, code: 'invalid_message', type: route.discriminatorValue, issues: result.issues };
  }
  let firstIssues: ValidationIssue[] | undefined;
  for (const route of routes) {
    const result = route.validate(frame);
    if (result.ok) return { ok: true, route, value: result.value };
    firstIssues ??= result.issues;
  }
  return routes.length === 0
    ? { ok: false, code: 'unknown_message_type', issues: [{ path: '', message: 'this channel accepts no messages in this direction' }] }
    : { ok: false, code: 'invalid_message', issues: firstIssues ?? [] };
}

/**
 * A copy of `frame` with one property set. `Object.assign` rather than a spread: on Node 20 the
 * spread copy of a parsed frame costs ~3x more, and this runs for every reply and request.
 */
export function withProperty(frame: Record<string, unknown>, property: string, value: unknown): Record<string, unknown> {
  return Object.assign({}, frame, { [property]: value });
}

/** True for `{...}` objects (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Matches a request path against a channel address template such as `/rooms/{roomId}`.
 * Returns the decoded parameters, or undefined when the path does not match.
 */
export function matchAddress(template: string, path: string): Record<string, string> | undefined {
  const templateParts = template.split('/');
  const pathParts = path.split('/');
  if (templateParts.length !== pathParts.length) return undefined;
  const parameters: Record<string, string> = {};
  for (let i = 0; i < templateParts.length; i++) {
    const expected = templateParts[i] ?? '';
    const actual = pathParts[i] ?? '';
    const parameter = /^\{([^}]+)\}$/.exec(expected);
    if (parameter?.[1] !== undefined) {
      if (actual === '') return undefined;
      try {
        parameters[parameter[1]] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return parameters;
}
