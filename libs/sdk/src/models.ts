import type { components } from './api/query';

/** Answers of the read API, as its OpenAPI document describes them (generated: `npm run sdk:api-types`). */
type Schemas = components['schemas'];

export type JobRun = Schemas['JobRunSchema'];
export type ModelExecution = Schemas['ExecutionSchema'];
/** A run's or a model execution's current state, told apart by `type`, with where its event sits in the log. */
export type Change = Schemas['RunChangeSchema'] | Schemas['ExecutionChangeSchema'];
export type ChangesPage = Schemas['ChangesPageSchema'];
export type SlaReport = Schemas['SlaReportSchema'];
export type RegressionReport = Schemas['RegressionReportSchema'];
