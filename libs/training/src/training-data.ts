import type { Provider } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { TrainingSetRequest, TrainingSetResponse } from '@atelier/contracts';
import { AtelierClient } from '@atelier/sdk';

/**
 * Where a training job's data comes from: the feature store's groups and its point-in-time
 * training sets. Over HTTP by default; the training worker app reads the feature store's module
 * in-process instead, so building a training set costs neither a 50 MB JSON document nor the
 * API process's event loop.
 */
export interface TrainingData {
  featureGroups(): Promise<Array<{ name: string; entity: string }>>;
  trainingSet(query: TrainingSetRequest): Promise<TrainingSetResponse>;
}

export const TRAINING_DATA = Symbol('TRAINING_DATA');

export const HTTP_TRAINING_DATA: Provider = {
  provide: TRAINING_DATA,
  inject: [ATELIER_CONFIG],
  useFactory: (config: AtelierConfig): TrainingData => {
    const client = new AtelierClient({ baseUrl: config.urls.featureStore, apiKey: config.auth.serviceKey });
    return { featureGroups: () => client.listFeatureGroups(), trainingSet: (query) => client.trainingSet(query) };
  },
};
