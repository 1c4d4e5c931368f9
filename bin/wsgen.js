#!/usr/bin/env node
// Entry point of the `wsgen` command: the CLI is bundled to dist/ by `npm run build` (run by `npm install`).
import { run } from '../dist/cli.js';

process.exitCode = await run(process.argv.slice(2));
