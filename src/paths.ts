/** Locates wsgen's own assets (templates, runtime sources) whether run from src/ or dist/. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(directory, 'templates')) && existsSync(path.join(directory, 'package.json'))) return directory;
    directory = path.dirname(directory);
  }
  throw new Error('wsgen installation is incomplete: templates/ not found next to package.json');
}

/** Root of the wsgen package. */
export const packageRoot = findRoot();
/** Handlebars templates. */
export const templatesDir = path.join(packageRoot, 'templates');
/** Runtime sources copied verbatim into generated packages. */
export const runtimeDir = path.join(packageRoot, 'src', 'runtime');
