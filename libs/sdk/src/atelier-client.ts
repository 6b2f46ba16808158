import type {
  AcceptedResponse,
  AlertResponse,
  AliasResponse,
  BackfillRequest,
  BackfillResponse,
  BatchJobResponse,
  BatchJobStatus,
  BatchPredictionsPage,
  BatchPredictResponse,
  ConsumerLagResponse,
  CreateBatchJobRequestInput,
  CreatedMonitorResponse,
  CreateEntityRequest,
  CreateFeatureGroupRequestInput,
  CreateModelVersionRequestInput,
  CreateMonitorRequestInput,
  DeploymentHistoryEntry,
  DeploymentResponse,
  EntityResponse,
  ErrorBody,
  FeatureDriftHistoryResponse,
  FeatureDriftResponse,
  FeatureGroupResponse,
  FeatureGroupStatsResponse,
  FeatureLookupRequest,
  FeatureLookupResponse,
  FeatureRowInput,
  IngestRowsResponse,
  LiveQualityHistoryResponse,
  MaterializationResponse,
  ModelArmsResponse,
  ModelResponse,
  ModelSignature,
  ModelVersionDetail,
  ModelVersionResponse,
  ModelWindowStats,
  MonitorEvaluation,
  MonitorResponse,
  MonitorWindowResponse,
  OnlineFeaturesRequest,
  OnlineFeaturesResponse,
  PredictRequestInput,
  PredictResponse,
  RecordOutcomeRequest,
  RowPartitionRequest,
  RowPartitionResponse,
  SetDeploymentRequestInput,
  TrainingJobResponse,
  TrainingPreviewResponse,
  TrainingRequestInput,
  TrainingSetRequest,
  TrainingSetResponse,
  UpdateMonitorRequest,
  WhoAmIResponse,
} from '@atelier/contracts';

/** The text fields sent with an uploaded ONNX file (see `UploadModelVersionForm`). */
export interface UploadVersionFields {
  description?: string;
  modelType?: string;
  signature?: ModelSignature;
  columns?: Record<string, string[]>;
  idempotencyKey?: string;
}

/** The text fields sent with a file to score (see `UploadBatchJobForm`). */
export interface UploadBatchJobFields {
  model: string;
  alias?: string;
  version?: number;
  timeColumn?: string;
  joinKeys?: Record<string, string>;
  passthrough?: string[];
  shardRows?: number;
  publish?: boolean;
}

/** An error answer from an Atelier service, with its code, status and request id. */
export class AtelierApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(`${status} ${body.code}: ${body.message}`);
    this.name = 'AtelierApiError';
  }
}

export interface AtelierClientOptions {
  /** base URL of the platform (all services in one process) */
  baseUrl: string;
  /** per-service base URLs when services run apart */
  urls?: Partial<Record<'featureStore' | 'training' | 'registry' | 'serving' | 'monitoring', string>>;
  /**
   * The API key sent as `Authorization: Bearer …`; default: `ATELIER_API_KEY` from the
   * environment where there is one (Node), none otherwise (the web UI's server attaches its own).
   */
  apiKey?: string;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  /**
   * Give up on a call not answered within this many milliseconds, its body included (an
   * AtelierTimeoutError naming the call). None by default: a download or an upload takes what it takes.
   * The services set one on their calls to each other, so a service that hangs is an error, not a
   * wait.
   */
  timeoutMs?: number;
}

/** A call that did not answer within `timeoutMs`. */
export class AtelierTimeoutError extends Error {
  override readonly name = 'AtelierTimeoutError';
}

type Service = keyof NonNullable<AtelierClientOptions['urls']>;

/** Typed client for every Atelier service; the web UI and scripts use it. */
export class AtelierClient {
  private readonly fetchImpl: typeof fetch;
  private readonly authorization: Record<string, string>;

  constructor(private readonly options: AtelierClientOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const key = options.apiKey ?? environmentKey();
    this.authorization = key ? { authorization: `Bearer ${key}` } : {};
  }

  // ── feature store ──
  /** The key this client sends: its owner, role and prefix (every service answers it). */
  whoami() {
    return this.call<WhoAmIResponse>('registry', 'GET', '/api/auth/whoami');
  }
  createEntity(body: CreateEntityRequest) {
    return this.call<EntityResponse>('featureStore', 'POST', '/api/entities', body);
  }
  listEntities() {
    return this.call<EntityResponse[]>('featureStore', 'GET', '/api/entities');
  }
  /** A group of ingested features, or with `aggregation` one computed from another group's rows (window features). */
  createFeatureGroup(body: CreateFeatureGroupRequestInput) {
    return this.call<FeatureGroupResponse>('featureStore', 'POST', '/api/feature-groups', body);
  }
  /** Computes an aggregation group's rows from its source's offline rows (event times in [start, end), default all). */
  backfillFeatureGroup(name: string, body: BackfillRequest = {}) {
    return this.call<BackfillResponse>('featureStore', 'POST', `/api/feature-groups/${enc(name)}/backfill`, body);
  }
  listFeatureGroups() {
    return this.call<FeatureGroupResponse[]>('featureStore', 'GET', '/api/feature-groups');
  }
  getFeatureGroup(name: string) {
    return this.call<FeatureGroupResponse>('featureStore', 'GET', `/api/feature-groups/${enc(name)}`);
  }
  /** The group's offline rows described: rows, entities, freshness, and each feature's statistics. */
  featureGroupStats(name: string) {
    return this.call<FeatureGroupStatsResponse>('featureStore', 'GET', `/api/feature-groups/${enc(name)}/stats`);
  }
  /** How far streaming ingestion (the `feature-rows` topic) is behind, per partition. */
  featureRowsLag() {
    return this.call<ConsumerLagResponse>('featureStore', 'GET', '/api/feature-rows/consumer');
  }
  ingestRows(group: string, rows: FeatureRowInput[], writeOnline = false) {
    return this.call<IngestRowsResponse>('featureStore', 'POST', `/api/feature-groups/${enc(group)}/rows`, { rows, writeOnline });
  }
  /** Imports a file of rows (CSV with a header row, Parquet or JSON Lines): the whole file or nothing. */
  importRowsFile(group: string, file: Blob, filename: string, fields: { timeColumn: string; entityColumn?: string; writeOnline?: boolean }) {
    const form = new FormData();
    // the fields first: they say how to read the file, which the server then reads as it arrives
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.set(name, String(value));
    form.set('file', file, filename);
    return this.call<IngestRowsResponse>('featureStore', 'POST', `/api/feature-groups/${enc(group)}/rows/upload`, form);
  }
  materialize(group: string, asOf?: string) {
    return this.call<MaterializationResponse>('featureStore', 'POST', `/api/feature-groups/${enc(group)}/materializations`, asOf ? { asOf } : {});
  }
  getMaterialization(id: string) {
    return this.call<MaterializationResponse>('featureStore', 'GET', `/api/materializations/${enc(id)}`);
  }
  onlineFeatures(body: OnlineFeaturesRequest) {
    return this.call<OnlineFeaturesResponse>('featureStore', 'POST', '/api/online-features', body);
  }
  trainingSet(body: TrainingSetRequest) {
    return this.call<TrainingSetResponse>('featureStore', 'POST', '/api/training-sets', body);
  }
  /** Features as of given instants, from the offline store (point-in-time, within each group's TTL). */
  featureLookup(body: FeatureLookupRequest) {
    return this.call<FeatureLookupResponse>('featureStore', 'POST', '/api/feature-lookups', body);
  }
  /** Cuts a window of a group's rows into consecutive parts of about `rowsPerPart` rows. */
  partitionRows(group: string, body: RowPartitionRequest) {
    return this.call<RowPartitionResponse>('featureStore', 'POST', `/api/feature-groups/${enc(group)}/partitions`, body);
  }

  // ── training ──
  startTraining(body: TrainingRequestInput) {
    return this.call<TrainingJobResponse>('training', 'POST', '/api/training-jobs', body);
  }
  /** What a training request would train on — label rows, label balance, coverage, sample rows — without starting a job. */
  previewTraining(body: TrainingRequestInput) {
    return this.call<TrainingPreviewResponse>('training', 'POST', '/api/training-jobs/preview', body);
  }
  getTrainingJob(id: string) {
    return this.call<TrainingJobResponse>('training', 'GET', `/api/training-jobs/${enc(id)}`);
  }
  listTrainingJobs() {
    return this.call<TrainingJobResponse[]>('training', 'GET', '/api/training-jobs');
  }
  /** Cancels a queued or running job; answers the job as it is after cancelling. */
  cancelTrainingJob(id: string) {
    return this.call<TrainingJobResponse>('training', 'POST', `/api/training-jobs/${enc(id)}/cancel`);
  }

  // ── registry ──
  listModels() {
    return this.call<ModelResponse[]>('registry', 'GET', '/api/models');
  }
  getModel(name: string) {
    return this.call<ModelResponse>('registry', 'GET', `/api/models/${enc(name)}`);
  }
  listVersions(model: string) {
    return this.call<ModelVersionResponse[]>('registry', 'GET', `/api/models/${enc(model)}/versions`);
  }
  getVersion(model: string, version: number) {
    return this.call<ModelVersionDetail>('registry', 'GET', `/api/models/${enc(model)}/versions/${version}`);
  }
  createVersion(model: string, body: CreateModelVersionRequestInput) {
    return this.call<ModelVersionResponse>('registry', 'POST', `/api/models/${enc(model)}/versions`, body);
  }
  /**
   * Registers an ONNX file as multipart/form-data (no base64: a third smaller on the wire); the
   * signature is read from the graph unless given, `columns` names multi-column inputs.
   */
  uploadVersion(model: string, file: Blob, fields: UploadVersionFields = {}) {
    const form = new FormData();
    form.set('file', file, 'model.onnx');
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) form.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return this.call<ModelVersionResponse>('registry', 'POST', `/api/models/${enc(model)}/versions/upload`, form);
  }
  async getArtifact(model: string, version: number): Promise<Uint8Array> {
    const response = await this.raw('registry', 'GET', `/api/models/${enc(model)}/versions/${version}/artifact`);
    return new Uint8Array(await response.arrayBuffer());
  }
  setAlias(model: string, alias: string, version: number) {
    return this.call<AliasResponse>('registry', 'PUT', `/api/models/${enc(model)}/aliases/${enc(alias)}`, { version });
  }
  resolveAlias(model: string, alias: string) {
    return this.call<ModelVersionDetail>('registry', 'GET', `/api/models/${enc(model)}/aliases/${enc(alias)}`);
  }

  // ── serving ──
  getDeployment(model: string) {
    return this.call<DeploymentResponse>('registry', 'GET', `/api/models/${enc(model)}/deployment`);
  }
  /** Sets the canary and the shadow of the model's production alias; null (or leaving one out) removes it. */
  setDeployment(model: string, body: SetDeploymentRequestInput) {
    return this.call<DeploymentResponse>('registry', 'PUT', `/api/models/${enc(model)}/deployment`, body);
  }
  rollbackDeployment(model: string) {
    return this.call<DeploymentResponse>('registry', 'POST', `/api/models/${enc(model)}/deployment/rollback`);
  }
  promoteCanary(model: string) {
    return this.call<DeploymentResponse>('registry', 'POST', `/api/models/${enc(model)}/deployment/promote`);
  }
  deploymentHistory(model: string) {
    return this.call<DeploymentHistoryEntry[]>('registry', 'GET', `/api/models/${enc(model)}/deployment/history`);
  }
  /** Queues a batch scoring job: a model version scores a feature group's rows in a time window. */
  createBatchJob(body: CreateBatchJobRequestInput) {
    return this.call<BatchJobResponse>('serving', 'POST', '/api/batch-jobs', body);
  }
  /**
   * Queues a batch scoring job over a file (CSV with a header row, or Parquet): `fields` name the
   * model and how its inputs are found in the file (see `UploadBatchJobForm`).
   */
  uploadBatchJob(file: Blob, filename: string, fields: UploadBatchJobFields) {
    const form = new FormData();
    // the fields first: they say how to read the file, which the server then reads as it arrives
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) form.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    form.set('file', file, filename);
    return this.call<BatchJobResponse>('serving', 'POST', '/api/batch-jobs/upload', form);
  }
  listBatchJobs(filter: { model?: string; status?: BatchJobStatus; limit?: number } = {}) {
    const query = new URLSearchParams(Object.entries(filter).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();
    return this.call<BatchJobResponse[]>('serving', 'GET', `/api/batch-jobs${query ? `?${query}` : ''}`);
  }
  getBatchJob(id: string) {
    return this.call<BatchJobResponse>('serving', 'GET', `/api/batch-jobs/${enc(id)}`);
  }
  /** Cancels a queued or running batch job; answers the job as it is after cancelling. */
  cancelBatchJob(id: string) {
    return this.call<BatchJobResponse>('serving', 'POST', `/api/batch-jobs/${enc(id)}/cancel`);
  }
  /** Deletes a batch job that has ended, with its predictions and output. */
  async deleteBatchJob(id: string): Promise<void> {
    await this.raw('serving', 'DELETE', `/api/batch-jobs/${enc(id)}`);
  }
  /** A page of a batch job's predictions, in shard and row order. */
  batchPredictions(id: string, page: { offset?: number; limit?: number } = {}) {
    const query = new URLSearchParams({ offset: String(page.offset ?? 0), limit: String(page.limit ?? 100) }).toString();
    return this.call<BatchPredictionsPage>('serving', 'GET', `/api/batch-jobs/${enc(id)}/predictions?${query}`);
  }
  /** The Parquet file of a succeeded batch job's predictions. */
  async batchOutput(id: string): Promise<Uint8Array> {
    const response = await this.raw('serving', 'GET', `/api/batch-jobs/${enc(id)}/output.parquet`);
    return new Uint8Array(await response.arrayBuffer());
  }
  predict(body: Omit<PredictRequestInput, 'rows'>) {
    return this.call<PredictResponse>('serving', 'POST', '/api/predict', body);
  }

  /** Many rows in one request: one online-store round trip and one model run for all. */
  predictBatch(body: Omit<PredictRequestInput, 'entities' | 'features'> & { rows: NonNullable<PredictRequestInput['rows']> }) {
    return this.call<BatchPredictResponse>('serving', 'POST', '/api/predict', body);
  }

  // ── monitoring ──
  recordOutcome(body: RecordOutcomeRequest) {
    return this.call<AcceptedResponse>('monitoring', 'POST', '/api/outcomes', body);
  }
  /** The monitor as created, with the secret that signs its webhook deliveries (shown this once). */
  createMonitor(body: CreateMonitorRequestInput) {
    return this.call<CreatedMonitorResponse>('monitoring', 'POST', '/api/monitors', body);
  }
  updateMonitor(id: string, body: UpdateMonitorRequest) {
    return this.call<MonitorResponse>('monitoring', 'PATCH', `/api/monitors/${enc(id)}`, body);
  }
  /** Every monitor, or one model's. */
  listMonitors(model?: string) {
    return this.call<MonitorResponse[]>('monitoring', 'GET', `/api/monitors${model === undefined ? '' : `?model=${enc(model)}`}`);
  }
  evaluateMonitor(id: string) {
    return this.call<MonitorEvaluation>('monitoring', 'POST', `/api/monitors/${enc(id)}/evaluate`);
  }
  getMonitor(id: string) {
    return this.call<MonitorResponse>('monitoring', 'GET', `/api/monitors/${enc(id)}`);
  }
  async deleteMonitor(id: string): Promise<void> {
    await this.raw('monitoring', 'DELETE', `/api/monitors/${enc(id)}`);
  }
  monitorWindows(id: string, limit = 100) {
    return this.call<MonitorWindowResponse[]>('monitoring', 'GET', `/api/monitors/${enc(id)}/windows?limit=${limit}`);
  }
  recordOutcomes(outcomes: RecordOutcomeRequest[]) {
    return this.call<AcceptedResponse>('monitoring', 'POST', '/api/outcomes/batch', { outcomes });
  }
  /** How far monitoring's consumer is behind on the predictions and outcomes topics, per partition. */
  monitoringLag() {
    return this.call<ConsumerLagResponse>('monitoring', 'GET', '/api/monitoring/consumer');
  }
  listAlerts(status?: 'open' | 'resolved', model?: string) {
    const query = new URLSearchParams({ ...(status ? { status } : {}), ...(model ? { model } : {}) }).toString();
    return this.call<AlertResponse[]>('monitoring', 'GET', `/api/alerts${query ? `?${query}` : ''}`);
  }
  getAlert(id: string) {
    return this.call<AlertResponse>('monitoring', 'GET', `/api/alerts/${enc(id)}`);
  }
  resolveAlert(id: string) {
    return this.call<AlertResponse>('monitoring', 'POST', `/api/alerts/${enc(id)}/resolve`);
  }
  /** Someone is on it: the alert stays open until it resolves (409 when it is resolved already). */
  acknowledgeAlert(id: string) {
    return this.call<AlertResponse>('monitoring', 'POST', `/api/alerts/${enc(id)}/acknowledge`);
  }
  /** The arms of the model's deployment (primary, canary, shadow) side by side over the last window. */
  armStats(model: string, windowSeconds = 3600) {
    return this.call<ModelArmsResponse>('monitoring', 'GET', `/api/models/${enc(model)}/arms?windowSeconds=${windowSeconds}`);
  }
  /** The model's live figures over the last window: every version's predictions, or `version`'s only. */
  modelStats(model: string, windowSeconds = 3600, version?: number) {
    const query = new URLSearchParams({ windowSeconds: String(windowSeconds) });
    if (version !== undefined) query.set('version', String(version));
    return this.call<ModelWindowStats>('monitoring', 'GET', `/api/models/${enc(model)}/live-stats?${query}`);
  }
  /** Live quality over consecutive windows of whole minutes (oldest first), of every version or one. */
  liveQualityHistory(model: string, options: { windowSeconds?: number; windows?: number; version?: number } = {}) {
    const query = new URLSearchParams({ windowSeconds: String(options.windowSeconds ?? 3600), windows: String(options.windows ?? 24) });
    if (options.version !== undefined) query.set('version', String(options.version));
    return this.call<LiveQualityHistoryResponse>('monitoring', 'GET', `/api/models/${enc(model)}/live-stats/history?${query}`);
  }

  /** Drift of each input of the model over the last window against its version's training baseline (default: the newest version in the window). */
  /** One input's drift over consecutive windows (oldest first), with the monitors watching it. */
  featureDriftHistory(model: string, feature: string, options: { windowSeconds?: number; windows?: number } = {}) {
    const query = new URLSearchParams({ feature, windowSeconds: String(options.windowSeconds ?? 3600), windows: String(options.windows ?? 24) });
    return this.call<FeatureDriftHistoryResponse>('monitoring', 'GET', `/api/models/${enc(model)}/feature-drift/history?${query}`);
  }
  featureDrift(model: string, options: { windowSeconds?: number; version?: number } = {}) {
    const query = new URLSearchParams({ windowSeconds: String(options.windowSeconds ?? 3600) });
    if (options.version !== undefined) query.set('version', String(options.version));
    return this.call<FeatureDriftResponse>('monitoring', 'GET', `/api/models/${enc(model)}/feature-drift?${query}`);
  }

  private async call<T>(service: Service, method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.raw(service, method, path, body);
    return this.timed(method, path, () => response.json() as Promise<T>);
  }

  private async raw(service: Service, method: string, path: string, body?: unknown): Promise<Response> {
    const base = this.options.urls?.[service] ?? this.options.baseUrl;
    // a form sets its own content type (with the multipart boundary)
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    const timeout = this.options.timeoutMs;
    const response = await this.timed(method, path, () =>
      this.fetchImpl(`${base.replace(/\/$/, '')}${path}`, {
        method,
        headers: { ...(body === undefined || form ? {} : { 'content-type': 'application/json' }), ...this.authorization, ...this.options.headers },
        body: body === undefined ? undefined : form ? body : JSON.stringify(body),
        // the signal also ends the body's reading (call reads it under the same signal)
        ...(timeout === undefined ? {} : { signal: AbortSignal.timeout(timeout) }),
      }),
    );
    if (!response.ok) throw new AtelierApiError(response.status, await this.timed(method, path, () => errorBody(response)));
    return response;
  }

  /** A step of a call; its abort by `timeoutMs` becomes an AtelierTimeoutError naming the call. */
  private async timed<T>(method: string, path: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError')
        throw new AtelierTimeoutError(`${method} ${path.split('?')[0]} did not answer within ${this.options.timeoutMs} ms`);
      throw error;
    }
  }
}

async function errorBody(response: Response): Promise<ErrorBody> {
  const text = await response.text();
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return { code: 'INTERNAL', message: text.slice(0, 500) || response.statusText, requestId: response.headers.get('x-request-id') ?? 'unknown' };
  }
}

const enc = encodeURIComponent;

function environmentKey(): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env['ATELIER_API_KEY'] || undefined;
}
