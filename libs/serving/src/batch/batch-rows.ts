import type { Provider } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type {
  FeatureGroupResponse,
  FeatureLookupRequest,
  FeatureLookupResponse,
  RowPartitionRequest,
  RowPartitionResponse,
  TrainingSetRequest,
  TrainingSetResponse,
} from '@atelier/contracts';
import { AtelierApiError, AtelierClient } from '@atelier/sdk';
import { badRequest, dependencyUnavailable, notFound } from '@atelier/server';

/**
 * Where a batch job's rows come from: the feature store's groups, its cut of a window into parts
 * and its point-in-time join (the one a training set is built with, or of a file's rows). Over HTTP: serving owns no
 * offline store.
 */
export interface BatchRows {
  group(name: string): Promise<FeatureGroupResponse>;
  partition(group: string, request: RowPartitionRequest): Promise<RowPartitionResponse>;
  rows(request: TrainingSetRequest): Promise<TrainingSetResponse>;
  /** features as of given instants, for rows that came in a file */
  lookup(request: FeatureLookupRequest): Promise<FeatureLookupResponse>;
}

export const BATCH_ROWS = Symbol('BATCH_ROWS');

export const HTTP_BATCH_ROWS: Provider = {
  provide: BATCH_ROWS,
  inject: [ATELIER_CONFIG],
  useFactory: (config: AtelierConfig): BatchRows => {
    const client = new AtelierClient({ baseUrl: config.urls.featureStore, apiKey: config.auth.serviceKey });
    return {
      group: (name) => fromFeatureStore(() => client.getFeatureGroup(name)),
      partition: (group, request) => fromFeatureStore(() => client.partitionRows(group, request)),
      rows: (request) => fromFeatureStore(() => client.trainingSet(request)),
      lookup: (request) => fromFeatureStore(() => client.featureLookup(request)),
    };
  },
};

/** The feature store's 404 and 400 answers stay what they are; anything else is its absence. */
async function fromFeatureStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AtelierApiError && error.status === 404) throw notFound(error.body.message);
    if (error instanceof AtelierApiError && error.status === 400) throw badRequest(error.body.message, error.body.details);
    const reason = error instanceof Error ? error.message : String(error);
    throw dependencyUnavailable(`the feature store could not be reached: ${reason}`);
  }
}
