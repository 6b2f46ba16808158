import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DeploymentResponse, PredictResponse } from '@atelier/contracts';
import { PrismaService } from '@atelier/db';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import {
  apiRefusal,
  authHeaders,
  DISTANCE_MODEL,
  eventually,
  registerLogisticModel,
  startTestApp,
  type TestApp,
  uniqueSuffix,
} from '@atelier/testing';

/** P(delayed) of a one-weight distance model at `distance` (means 300, scale 100, bias −0.2). */
const probability = (weight: number, distance: number) => 1 / (1 + Math.exp(-(weight * ((distance - 300) / 100) - 0.2)));
const WEIGHTS = { 1: 0.5, 2: -0.5, 3: 1 } as const;
const AIRPORTS = Array.from({ length: 80 }, (_, i) => `A${String(i).padStart(2, '0')}`);

/**
 * Canary and shadow deployments through the registry, serving and monitoring, against the real
 * Postgres, Redis and Kafka: the split is announced on Kafka and hot-loaded by serving, a canary
 * keeps each airport on one arm, a shadow scores a mirrored copy that is logged apart from the
 * answered traffic, and promote / rollback / history work in one call each.
 */
describe('deployments: canary, shadow, promote, rollback (integration)', () => {
  const s = uniqueSuffix();
  const model = `deploy-${s}`;
  let t: TestApp;
  let prisma: PrismaService;

  const predict = (airport: string, extra: object = {}) =>
    t.client.predict({ model, entities: { airport }, features: { distance: 500 }, ...extra }) as Promise<PredictResponse>;

  beforeAll(async () => {
    t = await startTestApp([RegistryModule, ServingModule, MonitoringModule]);
    prisma = t.app.get(PrismaService);
    for (const weight of Object.values(WEIGHTS)) await registerLogisticModel(t.client, model, { ...DISTANCE_MODEL, weights: [weight] });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a split it cannot serve, before the production alias exists and after', async () => {
    expect(await apiRefusal(t.client.setDeployment(model, { canary: { version: 2, share: 10 } }))).toEqual({
      status: 400,
      message: `model "${model}" has no "production" alias yet: point it at a version before adding a canary or a shadow`,
    });
    await t.client.setAlias(model, 'production', 1);
    expect(await t.client.getDeployment(model)).toEqual({
      model,
      alias: 'production',
      primaryVersion: 1,
      canary: null,
      shadow: null,
      updatedAt: null,
      updatedBy: null,
    });
    expect((await apiRefusal(t.client.setDeployment(model, { canary: { version: 2, share: 150 } }))).status).toBe(400);
    expect(await apiRefusal(t.client.setDeployment(model, { shadow: { version: 9 } }))).toEqual({
      status: 400,
      message: `shadow: model "${model}" has no version 9`,
    });
    expect((await apiRefusal(t.client.setDeployment(model, { canary: { version: 1, share: 10 } }))).message).toBe(
      'canary: version 1 is the one "production" already serves',
    );
    expect(await apiRefusal(t.client.setDeployment(model, { canary: { version: 2, share: 10 }, shadow: { version: 2 } }))).toEqual({
      status: 400,
      message: 'shadow: version 2 is the canary: a shadow scores a version that answers no traffic',
    });
    expect((await apiRefusal(t.client.getDeployment(`nope-${s}`))).status).toBe(404);
    expect(await apiRefusal(t.client.promoteCanary(model))).toEqual({ status: 409, message: `model "${model}" has no canary to promote` });
  });

  it('hot-loads a canary and a shadow: each airport sticks to one arm, the shadow is logged apart', async () => {
    // served once first, so the split below reaches serving through Kafka, not a first lookup
    expect(await predict('SFO')).not.toHaveProperty('arm');
    const set = await t.client.setDeployment(model, { canary: { version: 2, share: 30, stickyBy: 'airport' }, shadow: { version: 3 } });
    expect(set).toMatchObject({ primaryVersion: 1, canary: { version: 2, share: 30, stickyBy: 'airport' }, shadow: { version: 3 } });
    expect(set.updatedBy).toEqual(expect.any(String));

    // one process: once one answer names its arm, every later one is routed by the split
    const probe = await eventually(async () => {
      const answer = await predict('SFO');
      return answer.arm ? answer : undefined;
    });
    const first = await Promise.all(AIRPORTS.map((a) => predict(a)));
    for (const answer of first) {
      expect(answer.version).toBe(answer.arm === 'canary' ? 2 : 1);
      expect(answer.prediction).toBeCloseTo(probability(WEIGHTS[answer.version as 1 | 2], 500), 6);
    }
    const canaryShare = first.filter((a) => a.arm === 'canary').length / first.length;
    expect(canaryShare).toBeGreaterThan(0.1);
    expect(canaryShare).toBeLessThan(0.55);
    const again = await Promise.all(AIRPORTS.map((a) => predict(a)));
    expect(again.map((a) => a.arm)).toEqual(first.map((a) => a.arm));
    // a batch draws each row's arm as a request alone does: every airport keeps its arm and version
    const batch = await t.client.predictBatch({
      model,
      rows: AIRPORTS.map((airport) => ({ entities: { airport }, features: { distance: 500 } })),
    });
    expect(batch).toMatchObject({ model, version: 1, alias: 'production' });
    expect(batch).not.toHaveProperty('arm');
    expect(batch.predictions.map((p) => p.arm)).toEqual(first.map((a) => a.arm));
    for (const p of batch.predictions) {
      expect(p.version).toBe(p.arm === 'canary' ? 2 : 1);
      expect(p.prediction).toBeCloseTo(probability(WEIGHTS[p.version as 1 | 2], 500), 6);
    }
    // an explicit version or another alias is served as asked, unsplit
    expect(await predict('A00', { version: 3 })).toMatchObject({ version: 3, alias: null });
    expect(await predict('A00', { version: 3 })).not.toHaveProperty('arm');

    const answered = [probe, ...first, ...again, ...batch.predictions];
    const shadows = await eventually(async () => {
      const rows = await prisma.client.shadowPrediction.findMany({ where: { modelName: model } });
      const mirrored = new Set(rows.map((r) => r.shadowOf));
      return answered.every((a) => mirrored.has(a.predictionId)) ? rows : undefined;
    });
    expect(shadows).toHaveLength(answered.length);
    const byAnswer = new Map(shadows.map((r) => [r.shadowOf, r]));
    for (const answer of answered) {
      const shadow = byAnswer.get(answer.predictionId);
      expect(shadow, `shadow of ${answer.predictionId}`).toBeDefined();
      expect(shadow!.version).toBe(3);
      expect(shadow!.prediction).toBeCloseTo(probability(WEIGHTS[3], 500), 6);
      expect(shadow!.latencyMs).toBeGreaterThanOrEqual(0);
    }
    const logged = await eventually(async () => {
      const rows = await prisma.client.monitoredPrediction.findMany({ where: { modelName: model, arm: { not: null } } });
      return rows.length >= answered.length ? rows : undefined;
    });
    expect(new Set(logged.map((r) => r.arm))).toEqual(new Set(['primary', 'canary']));
    expect(logged.every((r) => r.version === (r.arm === 'canary' ? 2 : 1) && r.latencyMs !== null)).toBe(true);
    // the shadow's predictions are not the model's traffic
    const ids = new Set(shadows.map((r) => r.predictionId));
    expect(await prisma.client.monitoredPrediction.count({ where: { predictionId: { in: [...ids] } } })).toBe(0);

    // every flight was delayed: v1 and v3 (P > 0.5 at 500 miles) were right, the canary v2 wrong
    await t.client.recordOutcomes(answered.map((a) => ({ predictionId: a.predictionId, value: 1 })));
    const stats = await eventually(async () => {
      const arms = (await t.client.armStats(model)).arms;
      return arms.length === 3 && arms.every((a) => a.outcomes === a.predictions) ? arms : undefined;
    });
    const onCanary = answered.filter((a) => a.arm === 'canary').length;
    const arm = (name: string) => stats.find((a) => a.arm === name)!;
    expect(stats.map((a) => [a.arm, a.version, a.predictions])).toEqual([
      ['canary', 2, onCanary],
      ['primary', 1, answered.length - onCanary],
      ['shadow', 3, answered.length],
    ]);
    expect(arm('primary')).toMatchObject({ accuracy: 1, positiveRate: 1, agreement: null });
    expect(arm('canary')).toMatchObject({ accuracy: 0, positiveRate: 0 });
    expect(arm('primary').predictionMean).toBeCloseTo(probability(WEIGHTS[1], 500), 6);
    // every request was at 500 miles: each arm's predictions are one value
    for (const [name, weight] of [
      ['primary', WEIGHTS[1]],
      ['canary', WEIGHTS[2]],
      ['shadow', WEIGHTS[3]],
    ] as const) {
      for (const q of [arm(name).predictionP10, arm(name).predictionP50, arm(name).predictionP90])
        expect(q).toBeCloseTo(probability(weight, 500), 6);
    }
    expect(arm('shadow').accuracy).toBe(1);
    expect(arm('shadow').agreement).toBeCloseTo((answered.length - onCanary) / answered.length, 9);
    const difference = (w: 1 | 2) => Math.abs(probability(WEIGHTS[3], 500) - probability(WEIGHTS[w], 500));
    expect(arm('shadow').meanAbsDifference).toBeCloseTo(
      ((answered.length - onCanary) * difference(1) + onCanary * difference(2)) / answered.length,
      6,
    );
    for (const a of stats) expect(a.latencyP95Ms).toBeGreaterThanOrEqual(a.latencyP50Ms!);
  });

  it('promotes the canary, rolls back, and keeps the history with who did what', async () => {
    const promoted = await t.client.promoteCanary(model);
    expect(promoted).toMatchObject<Partial<DeploymentResponse>>({ primaryVersion: 2, canary: null, shadow: { version: 3 } });
    expect((await t.client.resolveAlias(model, 'production')).version).toBe(2);
    await eventually(async () => {
      const answers = await Promise.all(AIRPORTS.slice(0, 20).map((a) => predict(a)));
      return answers.every((a) => a.version === 2 && a.arm === 'primary') ? true : undefined;
    });

    const rolledBack = await t.client.rollbackDeployment(model);
    expect(rolledBack).toMatchObject({ primaryVersion: 2, canary: null, shadow: null });
    await eventually(async () => ((await predict('A01')).arm === undefined ? true : undefined));
    expect(await predict('A01')).toMatchObject({ version: 2, alias: 'production' });

    const history = await t.client.deploymentHistory(model);
    expect(history.map((h) => [h.action, h.primaryVersion, h.canary?.version ?? null, h.shadow?.version ?? null])).toEqual([
      ['deployment-rolled-back', 2, null, null],
      ['canary-promoted', 2, null, 3],
      ['deployment-changed', 1, 2, 3],
    ]);
    expect(new Set(history.map((h) => h.actor)).size).toBe(1);
    expect(history[0]!.actor).not.toBe('system');
  });

  it("takes promote and rollback as the README's acurl sends them: a JSON content type and no body", async () => {
    const post = (action: string) =>
      fetch(`${t.baseUrl}/api/models/${model}/deployment/${action}`, {
        method: 'POST',
        headers: { ...authHeaders(), 'content-type': 'application/json' },
      });
    const rolledBack = await post('rollback');
    expect(rolledBack.status).toBe(200);
    expect(await rolledBack.json()).toMatchObject({ primaryVersion: 2, canary: null, shadow: null });
    // nothing to promote: the route's own refusal, not a complaint about the empty body
    const promoted = await post('promote');
    expect(promoted.status).toBeGreaterThanOrEqual(400);
    expect(promoted.status).toBeLessThan(500);
    expect(JSON.stringify(await promoted.json())).not.toMatch(/Body cannot be empty/);
  });
});
