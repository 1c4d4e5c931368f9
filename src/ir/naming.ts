/**
 * Turns names from the document into safe, stable TypeScript identifiers, and detects when
 * two different things would get the same one.
 */
import { ErrorCode, WsgenError } from '../errors.js';

/** Words that cannot be identifiers, or that would shadow globals a generated file relies on. */
const RESERVED = new Set([
  // ECMAScript / TypeScript reserved words
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as',
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'any',
  'boolean', 'constructor', 'declare', 'get', 'module', 'require', 'number', 'set', 'string', 'symbol', 'type',
  'from', 'of', 'await', 'async', 'unknown', 'never', 'object', 'undefined', 'arguments', 'eval',
  // Globals and names the generated code uses
  'Array', 'Boolean', 'Date', 'Error', 'Function', 'JSON', 'Map', 'Math', 'Number', 'Object', 'Promise', 'Record',
  'RegExp', 'Set', 'String', 'Symbol', 'WeakMap', 'WebSocket', 'Partial', 'Required', 'Readonly', 'Pick', 'Omit',
  'Exclude', 'Extract', 'NonNullable', 'ReturnType', 'Uint8Array', 'ArrayBuffer', 'Buffer', 'URL',
  'ClientMessage', 'ServerMessage', 'ValidationIssue', 'ValidationResult', 'Validator',
]);

/**
 * Keywords Modelina refuses as model names in any letter case (it would rename `Type` to
 * `ReservedType`), so PascalCase names whose lower case is one of them get a suffix too.
 */
const RESERVED_ANY_CASE = new Set([...RESERVED].filter((word) => word === word.toLowerCase()));

/** Splits `chat_message`, `chat-message`, `ChatMessage`, `chatMESSAGE2` into words. */
function words(input: string): string[] {
  return input
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '');
}

/** `chat message` → `ChatMessage`; always a valid identifier (possibly with a suffix). */
export function pascalCase(input: string, reservedSuffix = 'Type'): string {
  let name = words(input)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
  if (name === '') name = 'Unnamed';
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return RESERVED.has(name) || RESERVED_ANY_CASE.has(name.toLowerCase()) ? `${name}${reservedSuffix}` : name;
}

/** `Chat message` → `chatMessage`; always a valid identifier (reserved words get a `_` suffix). */
export function camelCase(input: string): string {
  const pascal = words(input)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
  let name = pascal === '' ? 'unnamed' : pascal[0]!.toLowerCase() + pascal.slice(1);
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return RESERVED.has(name) ? `${name}_` : name;
}

/** An npm package name derived from a title: `Petstore Support Chat` → `petstore-support-chat`. */
export function packageNameFrom(title: string): string {
  const name = words(title)
    .map((word) => word.toLowerCase())
    .join('-')
    .slice(0, 200);
  return name === '' ? 'asyncapi-client' : name;
}

/**
 * Hands out identifiers and fails when two different owners claim the same one.
 * `owner` is a human description ("message chatMessage at #/components/messages/chatMessage")
 * used in the collision error.
 */
export class NameRegistry {
  private readonly owners = new Map<string, { key: unknown; owner: string }>();
  /** Human-readable notes about names that had to fall back to an alternative. */
  readonly notes: string[] = [];

  /** Claims `name` for `key`; the same key may claim it again. Throws on a collision. */
  claim(name: string, key: unknown, owner: string): string {
    const existing = this.owners.get(name);
    if (existing !== undefined && existing.key !== key) {
      throw new WsgenError({
        code: ErrorCode.NAME_COLLISION,
        message: `${owner} and ${existing.owner} both map to the TypeScript name \`${name}\`; rename one of them (or give it a distinct \`title\`)`,
        location: { jsonPath: owner.match(/#\/\S+/)?.[0] },
      });
    }
    this.owners.set(name, { key, owner });
    return name;
  }

  /**
   * Claims the first of `candidates` that is free (or already this key's). Falling back is
   * noted (the CLI prints it); when every candidate is taken the collision is an error.
   */
  claimFirst(candidates: string[], key: unknown, owner: string): string {
    for (const candidate of candidates) {
      const existing = this.owners.get(candidate);
      if (existing === undefined || existing.key === key) {
        if (candidate !== candidates[0]) this.notes.push(`${owner} is named \`${candidate}\`: \`${candidates[0]}\` is taken by ${this.owners.get(candidates[0] ?? '')?.owner ?? 'another type'}`);
        return this.claim(candidate, key, owner);
      }
    }
    return this.claim(candidates[0] ?? 'Unnamed', key, owner); // throws the collision error
  }

  /** Claims `name`, or `name2`, `name3`, … if taken by another key (for inferred names). */
  claimFree(name: string, key: unknown, owner: string): string {
    for (let suffix = 1; ; suffix++) {
      const candidate = suffix === 1 ? name : `${name}${suffix}`;
      const existing = this.owners.get(candidate);
      if (existing === undefined || existing.key === key) return this.claim(candidate, key, owner);
    }
  }

  has(name: string): boolean {
    return this.owners.has(name);
  }
}

/** Escapes one JSON pointer segment (`/ws` → `~1ws`). */
export function pointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
