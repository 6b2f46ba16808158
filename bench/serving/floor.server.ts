import http from 'node:http';

import Redis from 'ioredis';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/**
 * The floor: the least work that answers what `POST /api/predict` answers for `flight-delay` —
 * parse the body, ONE Redis MGET, the transform, one ONNX Runtime call, JSON out. No framework,
 * validation, logging or Kafka, so what (b) costs above this is the platform's own overhead.
 *   node -r @swc-node/register bench/serving/floor.server.ts <model.onnx> <redis-url> <namespace> <port>
 */
const GROUP = 'airport_delay_stats';

interface Body {
  entities: { airport: string };
  features: { distance: number; hour: number };
}

async function main(): Promise<void> {
  const [modelPath, redisUrl, namespace, port] = process.argv.slice(2);
  if (!modelPath || !redisUrl || !namespace || !port) throw new Error('usage: floor.server.ts <model.onnx> <redis-url> <namespace> <port>');
  // the same session options as the platform's model cache, so ONNX Runtime costs the same
  const session = await InferenceSession.create(modelPath, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
  const redis = new Redis(redisUrl);

  async function predict(raw: string): Promise<string> {
    const { entities, features } = JSON.parse(raw) as Body;
    const [row] = await redis.mget(`${namespace}:online:${GROUP}:${entities.airport}`);
    const online = row ? (JSON.parse(row) as { values: Record<string, unknown> }).values : {};
    const inputs: Record<string, unknown> = { ...features, log_distance: Math.log1p(features.distance) };
    for (const [name, value] of Object.entries(online)) inputs[`${GROUP}:${name}`] = value;
    const feeds = Object.fromEntries(
      session.inputNames.map((name) => [
        name,
        new Tensor('float32', Float32Array.of(typeof inputs[name] === 'number' ? inputs[name] : NaN), [1, 1]),
      ]),
    );
    const out = await session.run(feeds);
    return JSON.stringify({ prediction: Number(out.probability!.data[0]), label: Number(out.label!.data[0]) });
  }

  const server = http.createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      predict(raw).then(
        (json) => response.writeHead(200, { 'content-type': 'application/json' }).end(json),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
  });
  server.keepAliveTimeout = 65_000; // as the platform: idle keep-alive sockets outlive the client's
  server.listen(Number(port), '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
