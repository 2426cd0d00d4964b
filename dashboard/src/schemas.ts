import type { components } from '../../sdk/src/generated/openapi.ts';

/** The spec's components, as the SDK types them. */
export type Schemas = components['schemas'];
