/**
 * Lets every parse in a process share the Ajv instances that hold the compiled AsyncAPI
 * specification schemas.
 *
 * Spectral's `schema` function keys its Ajv instances by the document being linted, so each
 * parse compiles the AsyncAPI JSON Schema (several thousand lines) again. In a profile of
 * `wsgen generate --watch`, that compilation was ~85% of the parser's time: about 300 ms of the
 * 340 ms a re-validation took (measured in bench/warm.mjs; BENCHMARKS.md).
 *
 * Shared are the specification's own schemas (ids under http://asyncapi.com/) and the rules' own
 * schema constants (e.g. `{ const: '3.1.0' }` of the latest-version note: creating an Ajv
 * instance just for it cost ~16 ms a parse). Both are fixed for the life of the process; a
 * constant is recognised as the same object arriving from two different documents. Schemas from
 * the document itself are new objects on every parse, so they still go to instances that belong
 * to that one document, as before: a schema edited between two runs of watch mode is never
 * served from an old compilation, and none of them outlives its document.
 *
 * This replaces an export of @stoplight/spectral-functions' internal `schema/ajv.js` module
 * (the module calls it through its exports object). If a future version moves that module, the
 * patch is skipped and parsing is only slower; test/fast-paths.test.ts notices.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** Spectral's factory: returns a function that finds or compiles the validator of a schema. */
type AssignValidator = (schema: { $id?: unknown }, dialect: string, allErrors: boolean) => unknown;
interface AjvModule {
  createAjvInstances: () => AssignValidator;
}

const SPEC_SCHEMA_ID = /^https?:\/\/asyncapi\.com\//;

let installed = false;

/** Installs the shared cache once per process; returns whether it is in place. */
export function shareSpecSchemaCompilation(): boolean {
  if (installed) return true;
  const module = spectralAjvModule();
  if (module === undefined) return false;
  const perDocument = module.createAjvInstances;
  let shared: AssignValidator | undefined;
  /** Which document's instances first saw a schema object without an id. */
  const firstSeenBy = new WeakMap<object, AssignValidator>();
  module.createAjvInstances = () => {
    const own = perDocument();
    return (schema, dialect, allErrors) => {
      const isSpecSchema = typeof schema.$id === 'string' && SPEC_SCHEMA_ID.test(schema.$id);
      const seenBy = schema.$id === undefined ? firstSeenBy.get(schema) : undefined;
      if (isSpecSchema || (seenBy !== undefined && seenBy !== own)) {
        shared ??= perDocument();
        return shared(schema, dialect, allErrors);
      }
      if (seenBy === undefined && schema.$id === undefined) firstSeenBy.set(schema, own);
      return own(schema, dialect, allErrors);
    };
  };
  installed = true;
  return true;
}

/** The instance of spectral-functions' `schema/ajv.js` that @asyncapi/parser itself loads. */
function spectralAjvModule(): AjvModule | undefined {
  try {
    const fromParser = createRequire(createRequire(import.meta.url).resolve('@asyncapi/parser'));
    const entry = fromParser.resolve('@stoplight/spectral-functions');
    const module: unknown = fromParser(path.join(path.dirname(entry), 'schema', 'ajv.js'));
    const candidate = module as Partial<AjvModule> | undefined;
    return typeof candidate?.createAjvInstances === 'function' ? (candidate as AjvModule) : undefined;
  } catch {
    return undefined;
  }
}
