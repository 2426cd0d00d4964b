/** Short names for the generated OpenAPI types (generated/openapi.ts is never edited by hand). */
import type { components, operations } from '../../generated/openapi.ts';

export type Schemas = components['schemas'];
export type OperationId = keyof operations;
export type ChargePointDto = Schemas['ChargePoint'];
export type SiteDto = Schemas['Site'];
export type VehicleDto = Schemas['Vehicle'];
export type SystemDto = Schemas['System'];
export type ProblemDto = Schemas['Problem'];
export type ReadinessDto = Schemas['Readiness'];
