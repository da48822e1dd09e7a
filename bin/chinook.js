#!/usr/bin/env node
// `npx chinook` / the installed bin: run the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
