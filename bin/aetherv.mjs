#!/usr/bin/env node
// The `aetherv` command: runs the TypeScript CLI through tsx so `npx aetherv …` works in a checkout.
import { register } from 'tsx/esm/api';
register();
await import('../server/src/cli/main.ts');
