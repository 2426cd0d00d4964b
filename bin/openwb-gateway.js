#!/usr/bin/env node
// The installed admin CLI. The gateway runs its TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
