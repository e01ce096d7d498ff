#!/usr/bin/env node
// `npx oretrace`: run the TypeScript CLI through tsx's loader (a runtime dependency), no build step.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
