/**
 * The referee for examples the generated validators reject: validates each example against its
 * message's payload schema exactly as the source document states it — `@asyncapi/parser` (only
 * to resolve `$ref`s) and Ajv, no wsgen code in between. If this rejects an example too, the
 * example is wrong in the third-party document, not in the generator.
 */
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';

// As in src/parse.ts: the parser's ESM build cannot be loaded by Node, its CJS build can.
const require = createRequire(import.meta.url);
const { Parser, fromFile } = require('@asyncapi/parser') as typeof import('@asyncapi/parser');
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

/** One example payload of a message and what Ajv says about it. */
export interface RawExample {
  /** Message id as the parser reports it. */
  message: string | undefined;
  payload: unknown;
  /** Ajv's errors against the raw payload schema (`path reason`); empty when the schema accepts it. */
  errors: string[];
}

/** Every payload example of the document's messages, checked against the raw payload schemas. */
export async function rawExamples(documentPath: string): Promise<RawExample[]> {
  // Style rules only produce diagnostics; $ref resolution is all this needs.
  const { document } = await fromFile(new Parser({ ruleset: { recommended: false } }), documentPath).parse();
  if (document === undefined) throw new Error(`@asyncapi/parser could not parse ${documentPath}`);
  const checked: RawExample[] = [];
  for (const message of document.allMessages().all()) {
    const examples = message.examples().all().filter((example) => example.hasPayload());
    if (examples.length === 0) continue;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(message.payload()?.json() ?? {});
    for (const example of examples) {
      const payload = example.payload();
      const errors = validate(payload) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`);
      checked.push({ message: message.id(), payload, errors });
    }
  }
  return checked;
}
