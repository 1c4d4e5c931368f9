/**
 * Handlebars: one template per generated artifact (`templates/<file>.hbs`), partials in
 * `templates/partials/`. Templates receive a pre-shaped view model and only loop/interpolate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { templatesDir } from '../paths.js';

let engine: typeof Handlebars | undefined;

function createEngine(): typeof Handlebars {
  const instance = Handlebars.create();
  instance.registerHelper('json', (value: unknown) => JSON.stringify(value));
  instance.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const partialsDir = path.join(templatesDir, 'partials');
  for (const file of readdirSync(partialsDir).sort()) {
    if (file.endsWith('.hbs')) instance.registerPartial(file.slice(0, -4), readFileSync(path.join(partialsDir, file), 'utf8'));
  }
  return instance;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Renders `templates/<name>.hbs` with the given view. */
export function renderTemplate(name: string, view: object): string {
  engine ??= createEngine();
  let template = compiled.get(name);
  if (template === undefined) {
    template = engine.compile(readFileSync(path.join(templatesDir, `${name}.hbs`), 'utf8'), { noEscape: false, strict: true, preventIndent: true });
    compiled.set(name, template);
  }
  return template(view);
}
