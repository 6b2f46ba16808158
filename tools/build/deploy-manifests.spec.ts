import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const DEPLOY = path.resolve(__dirname, '../../deploy');

type Manifest = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> };
type Container = { name: string; command?: string[]; args?: string[] };

/** every document of every file a kustomization lists, in order */
function kustomize(dir: string): Manifest[] {
  const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return kustomization.resources.flatMap((file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    return parseAllDocuments(text).map((document) => {
      expect(document.errors, `${file}: ${document.errors.join('; ')}`).toEqual([]);
      return document.toJSON() as Manifest;
    });
  });
}

function containers(manifest: Manifest): Container[] {
  const template = manifest.spec?.['template'] as { spec: { containers: Container[] } } | undefined;
  return template?.spec.containers ?? [];
}

/** `--appendonly yes` and `--appendfsync everysec` among a server's arguments */
function persistsAppendOnly(args: string[]): boolean {
  const value = (flag: string) => args[args.indexOf(flag) + 1];
  return value('--appendonly') === 'yes' && value('--appendfsync') === 'everysec';
}

describe('deploy manifests', () => {
  it('lists only files that exist and parse, in the application and infrastructure kustomizations', () => {
    for (const dir of ['k8s', 'k8s/infra']) {
      const manifests = kustomize(path.join(DEPLOY, dir));
      expect(manifests.length).toBeGreaterThan(1);
      for (const manifest of manifests) expect(manifest.kind, `${dir}: ${JSON.stringify(manifest.metadata)}`).toBeTruthy();
    }
  });

  it('runs Redis with an append-only file in every deployment mode: local, compose and Kubernetes', () => {
    const compose = parse(readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8')) as {
      services: { redis: { command: string[]; volumes: string[] } };
    };
    expect(persistsAppendOnly(compose.services.redis.command)).toBe(true);
    expect(compose.services.redis.volumes.some((volume) => volume.endsWith(':/data'))).toBe(true);

    const redis = kustomize(path.join(DEPLOY, 'k8s/infra')).find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'redis')!;
    const [server] = containers(redis);
    expect(persistsAppendOnly([...(server.command ?? []), ...(server.args ?? [])])).toBe(true);
    const claims = redis.spec!['volumeClaimTemplates'] as Array<{ metadata: { name: string } }>;
    expect(claims.map((claim) => claim.metadata.name)).toContain('data');

    const local = readFileSync(path.join(DEPLOY, 'local/redis.sh'), 'utf8');
    expect(local).toMatch(/--appendonly yes --appendfsync everysec/);
    expect(local).toMatch(/config set appendonly yes/);
  });

  it('points the services at the Redis the infrastructure kustomization creates', () => {
    const config = kustomize(path.join(DEPLOY, 'k8s')).find((m) => m.kind === 'ConfigMap') as unknown as {
      data: Record<string, string>;
    };
    const infra = parse(readFileSync(path.join(DEPLOY, 'k8s/infra/kustomization.yaml'), 'utf8')) as { namespace: string };
    expect(config.data['REDIS_URL']).toBe(`redis://redis.${infra.namespace}.svc:6379`);
  });

  it('gives every Deployment a readiness probe, so a replica takes traffic only when ready', () => {
    const deployments = kustomize(path.join(DEPLOY, 'k8s')).filter((m) => m.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ['feature-store', 'monitoring', 'registry', 'serving', 'training', 'web'].filter((name) =>
        existsSync(path.join(DEPLOY, 'k8s', `${name}.yaml`)),
      ),
    );
    for (const deployment of deployments) {
      for (const container of containers(deployment)) {
        expect((container as { readinessProbe?: unknown }).readinessProbe, `${deployment.metadata.name}/${container.name}`).toBeTruthy();
      }
    }
  });

  it('lets a stopping pod answer while its endpoint is removed, and finish well inside its grace period', () => {
    const manifests = kustomize(path.join(DEPLOY, 'k8s'));
    const config = manifests.find((m) => m.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
    const drainSeconds = Number(config.data['SHUTDOWN_DRAIN_MS']) / 1000;
    expect(drainSeconds).toBeGreaterThanOrEqual(3);
    for (const deployment of manifests.filter((m) => m.kind === 'Deployment')) {
      const pod = deployment as unknown as { spec: { template: { spec: { terminationGracePeriodSeconds?: number } } } };
      // Kubernetes' default grace is 30 s; the server needs the drain plus the requests under way and its modules' close
      expect(pod.spec.template.spec.terminationGracePeriodSeconds ?? 30, deployment.metadata.name).toBeGreaterThanOrEqual(
        drainSeconds + 15,
      );
    }
  });
});
