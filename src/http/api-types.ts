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

/** The JSON body of an operation's response for a status code. */
export type ResponseBody<
  Op extends OperationId,
  Status extends keyof operations[Op]['responses'],
> = operations[Op]['responses'][Status] extends { content: { 'application/json': infer Body } } ? Body : never;
