/**
 * Turns the parser's dereferenced schema graphs into named JSON Schema definitions.
 *
 * Every component schema becomes a definition under its component name and is referenced with
 * `{ $ref: '#/definitions/<Name>' }` wherever it is used, so shared schemas are described (and
 * validated) once and recursive schemas terminate. Inline object and enum schemas get a `title`
 * derived from where they sit (`ChatMessagePayload`, `OrderItemsItem`), which is what the type
 * renderer names them by: no `AnonymousSchema_3`.
 */
import { pascalCase, pointerSegment, type NameRegistry } from './naming.js';
import type { JsonSchema } from './types.js';

type SchemaObject = Record<string, unknown>;

/** Keywords whose value is a schema. */
const SCHEMA_KEYWORDS = ['additionalProperties', 'additionalItems', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'];
/** Keywords whose value is an array of schemas. */
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain-JSON copy; anything circular is cut (data annotations are never legitimately cyclic). */
function jsonCopy(value: unknown, seen = new Set<unknown>()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return {};
  seen.add(value);
  const copy = Array.isArray(value) ? value.map((item) => jsonCopy(item, seen)) : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonCopy(item, seen)]));
  seen.delete(value);
  return copy;
}

/** The component name the parser recorded, or undefined for inline schemas. */
function componentName(node: SchemaObject): string | undefined {
  const id = node['x-parser-schema-id'];
  return typeof id === 'string' && !id.startsWith('<anonymous') ? id : undefined;
}

/** Schemas that become named types (objects and enums), as opposed to inline primitives. */
function isModel(node: SchemaObject): boolean {
  return node['type'] === 'object' || isObject(node['properties']) || Array.isArray(node['enum']);
}

/** Collects definitions for every payload it is given. */
export class SchemaCollector {
  /** Named definitions in order of first use. */
  readonly definitions: Record<string, JsonSchema> = {};
  private readonly names = new Map<SchemaObject, string>();
  private readonly onStack = new Set<SchemaObject>();
  private readonly recursive = new Set<SchemaObject>();

  /**
   * @param resolvePointer resolves a local `$ref` (`#/components/schemas/Comment`) that the
   *   parser left in place, which it does for recursive schemas.
   */
  /** Component schemas by their canonical JSON, to recognise anonymous copies of them. */
  private readonly componentsByShape = new Map<string, SchemaObject>();
  private shapes = new WeakMap<object, string>();

  constructor(
    private readonly registry: NameRegistry,
    private readonly resolvePointer: (pointer: string) => unknown,
    components: Record<string, unknown> = {},
  ) {
    // Two passes: a component's shape refers to its nested components by name, which the
    // first pass has recorded by the time the second computes the final shapes.
    const models = Object.values(components).filter((component): component is SchemaObject => isObject(component) && isModel(component) && componentName(component) !== undefined);
    for (let pass = 0; pass < 2; pass++) {
      this.componentsByShape.clear();
      this.shapes = new WeakMap();
      for (const component of models) {
        const shape = this.shapeOf(component);
        if (!this.componentsByShape.has(shape)) this.componentsByShape.set(shape, component);
      }
    }
    this.shapes = new WeakMap();
  }

  /**
   * Canonical JSON of a schema without the parser's annotations (memoised; linear overall).
   * Applying message traits makes the parser copy the payload, and the copy loses its component
   * name: its shape finds the component again, so `Order` stays `Order`, not `PlaceOrderPayload`.
   */
  private shapeOf(node: unknown, stack: object[] = [], root = true): string {
    if (typeof node !== 'object' || node === null) return JSON.stringify(node) ?? 'null';
    // Below the root, a component (as an object or as a `$ref`) is its name: the parser gives
    // recursion as a cycle or as a `$ref` depending on how it resolved, and both must compare equal.
    if (!root && !Array.isArray(node)) {
      const component = componentName(node as SchemaObject);
      if (component !== undefined) return `<component:${component}>`;
      const ref = (node as SchemaObject)['$ref'];
      const key = typeof ref === 'string' ? /^#\/components\/schemas\/([^/]+)$/.exec(ref)?.[1] : undefined;
      if (key !== undefined) return `<component:${decodeURIComponent(key)}>`;
    }
    const known = root ? undefined : this.shapes.get(node);
    if (known !== undefined) return known;
    if (stack.includes(node)) return '"<cycle>"';
    stack.push(node);
    const shape = Array.isArray(node)
      ? `[${node.map((item) => this.shapeOf(item, stack, false)).join(',')}]`
      : `{${Object.keys(node).filter((key) => !key.startsWith('x-parser-')).sort().map((key) => `${JSON.stringify(key)}:${this.shapeOf((node as SchemaObject)[key], stack, false)}`).join(',')}}`;
    stack.pop();
    if (root) return shape;
    // An anonymous copy of a component (nested in another copy) is that component too.
    const twin = this.componentsByShape.get(shape);
    const result = twin === undefined ? shape : `<component:${componentName(twin) ?? ''}>`;
    this.shapes.set(node, result);
    return result;
  }

  /** The component schema an anonymous model is a copy of, if any. */
  private twinOf(node: SchemaObject): SchemaObject | undefined {
    if (this.componentsByShape.size === 0 || componentName(node) !== undefined || !isModel(node)) return undefined;
    const twin = this.componentsByShape.get(this.shapeOf(node));
    return twin === node ? undefined : twin;
  }

  /**
   * Adds a message payload and returns the name of its definition.
   * `preferredName` is used when the schema is inline (no component name).
   */
  addRoot(schema: unknown, preferredName: string, jsonPath: string): string {
    if (!isObject(schema)) {
      const name = this.registry.claimFree(preferredName, schema, `payload at ${jsonPath}`);
      this.definitions[name] = typeof schema === 'boolean' ? schema : {};
      return name;
    }
    const twin = this.twinOf(schema);
    if (twin !== undefined) return this.addRoot(twin, preferredName, jsonPath);
    const existing = this.names.get(schema);
    if (existing !== undefined) return existing;
    const component = componentName(schema);
    const name = component === undefined
      ? this.registry.claim(preferredName, schema, `payload at ${jsonPath}`)
      : this.claimComponent(component, schema);
    this.define(schema, name);
    return name;
  }

  /** A component schema keeps its name, or gets a `Schema` suffix when a message took it. */
  private claimComponent(component: string, node: SchemaObject): string {
    const name = pascalCase(component, 'Schema');
    return this.registry.claimFirst([name, `${name}Schema`], node, `schema ${component} at #/components/schemas/${pointerSegment(component)}`);
  }

  private define(node: SchemaObject, name: string): void {
    this.names.set(node, name);
    this.definitions[name] = {}; // reserve the slot: order of first use
    this.definitions[name] = this.convertBody(node, name, true);
  }

  private convert(node: unknown, contextName: string): JsonSchema {
    if (!isObject(node)) return typeof node === 'boolean' ? node : {};
    const ref = node['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      const target = this.resolvePointer(ref);
      if (isObject(target) && target !== node) {
        const componentKey = /^#\/components\/schemas\/([^/]+)$/.exec(ref)?.[1];
        if (componentKey !== undefined && componentName(target) === undefined) target['x-parser-schema-id'] = decodeURIComponent(componentKey);
        return this.convert(target, contextName);
      }
    }
    const known = this.names.get(node);
    if (known !== undefined) return { $ref: `#/definitions/${known}` };
    const twin = this.twinOf(node);
    if (twin !== undefined) return this.convert(twin, contextName);
    const component = componentName(node);
    if (component !== undefined) {
      const name = this.claimComponent(component, node);
      this.define(node, name);
      return { $ref: `#/definitions/${name}` };
    }
    if (this.onStack.has(node)) {
      // An inline schema that contains itself: it must become a definition to terminate.
      this.recursive.add(node);
      const name = this.registry.claimFree(contextName, node, `recursive schema ${contextName}`);
      this.names.set(node, name);
      return { $ref: `#/definitions/${name}` };
    }
    this.onStack.add(node);
    const body = this.convertBody(node, contextName, false);
    this.onStack.delete(node);
    const recursiveName = this.recursive.has(node) ? this.names.get(node) : undefined;
    if (recursiveName !== undefined) {
      if (isObject(body)) body['title'] = recursiveName;
      this.definitions[recursiveName] = body;
      return { $ref: `#/definitions/${recursiveName}` };
    }
    return body;
  }

  /** Copies a schema object, converting nested schemas and naming inline models. */
  private convertBody(node: SchemaObject, name: string, isDefinition: boolean): JsonSchema {
    const out: SchemaObject = {};
    const wasOnStack = this.onStack.has(node);
    this.onStack.add(node);
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword.startsWith('x-')) continue;
      if (keyword === 'title') continue;
      if (SCHEMA_MAP_KEYWORDS.includes(keyword) && isObject(value)) {
        const converted: SchemaObject = {};
        for (const [property, schema] of Object.entries(value)) {
          converted[property] = this.convert(schema, `${name}${pascalCase(property, '')}`);
        }
        out[keyword] = converted;
      } else if (SCHEMA_ARRAY_KEYWORDS.includes(keyword) && Array.isArray(value)) {
        out[keyword] = value.map((schema, index) => this.convert(schema, `${name}${keyword === 'allOf' ? 'Part' : keyword === 'prefixItems' ? 'Item' : 'Option'}${index + 1}`));
      } else if (keyword === 'items') {
        out[keyword] = Array.isArray(value) ? value.map((schema, index) => this.convert(schema, `${name}Item${index + 1}`)) : this.convert(value, `${name}Item`);
      } else if (keyword === 'dependencies' && isObject(value)) {
        out[keyword] = Object.fromEntries(Object.entries(value).map(([key, dep]) => [key, Array.isArray(dep) ? dep : this.convert(dep, `${name}${pascalCase(key, '')}`)]));
      } else if (SCHEMA_KEYWORDS.includes(keyword) && (isObject(value) || typeof value === 'boolean')) {
        out[keyword] = this.convert(value, `${name}${pascalCase(keyword, '')}`);
      } else {
        // Annotations (examples, default, const, enum, …): data, not schemas. Copied as JSON so
        // nothing shared or circular from the parser's object graph leaks into the IR.
        out[keyword] = jsonCopy(value);
      }
    }
    if (!wasOnStack) this.onStack.delete(node);
    // JSON Schema 2020-12 tuples (`prefixItems` + `items`) in draft-07 terms (`items` array +
    // `additionalItems`), the dialect AsyncAPI schemas, Ajv and Modelina work in here.
    if (Array.isArray(out['prefixItems'])) {
      const prefix = out['prefixItems'];
      delete out['prefixItems'];
      if (prefix.length > 0) {
        if (out['items'] !== undefined) out['additionalItems'] = out['items'];
        out['items'] = prefix;
      }
    }
    // Inline models are named after their position; the spec's own title wins when present.
    if (isDefinition || isModel(node)) {
      const title = node['title'];
      out['title'] = isDefinition
        ? name
        : this.registry.claimFree(typeof title === 'string' && title.trim() !== '' ? pascalCase(title, 'Model') : name, node, `inline schema ${name}`);
    } else if (typeof node['title'] === 'string') {
      out['description'] ??= node['title'];
    }
    return out;
  }
}
