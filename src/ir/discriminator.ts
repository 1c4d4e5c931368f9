/**
 * Finds the property that names the message in every frame of a channel (usually `type`).
 *
 * A property qualifies when, in each direction, every message's payload requires it with a
 * `const` (or one-value `enum`) string and no two messages of that direction share the value.
 * Messages of opposite directions may share a value (a client `chatMessage` and the server's
 * broadcast of it). Without such a property the runtime routes by validation instead.
 */

type SchemaLike = { properties?: Record<string, { const?: unknown; enum?: unknown[] } | undefined>; required?: unknown; discriminator?: unknown };

/** Preferred names, tried first, in this order. */
const PREFERRED = ['type', 'event', 'action', 'op', 'kind', 'messageType', 'eventType'];

/** The constant string value of `property` in a payload schema, if it has one. */
export function discriminatorValue(payload: unknown, property: string): string | undefined {
  const schema = (payload as SchemaLike | undefined)?.properties?.[property];
  const value = schema?.const ?? (Array.isArray(schema?.enum) && schema.enum.length === 1 ? schema.enum[0] : undefined);
  return typeof value === 'string' ? value : undefined;
}

function candidatesOf(payload: unknown): string[] {
  const schema = payload as SchemaLike | undefined;
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]) : [];
  const declared = typeof schema?.discriminator === 'string' ? [schema.discriminator] : [];
  const constants = Object.keys(schema?.properties ?? {}).filter((property) => required.includes(property) && discriminatorValue(payload, property) !== undefined);
  return [...new Set([...declared, ...constants])];
}

/** Returns the discriminator property for the given payloads (one list per direction), if any. */
export function detectDiscriminator(directions: unknown[][]): string | undefined {
  const payloads = directions.flat();
  if (payloads.length === 0) return undefined;
  let common = candidatesOf(payloads[0]);
  for (const payload of payloads.slice(1)) {
    const candidates = candidatesOf(payload);
    common = common.filter((property) => candidates.includes(property));
  }
  const unique = common.filter((property) =>
    directions.every((list) => new Set(list.map((payload) => discriminatorValue(payload, property))).size === list.length),
  );
  return PREFERRED.find((name) => unique.includes(name)) ?? unique[0];
}
