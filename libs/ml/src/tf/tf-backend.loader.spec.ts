import { describe, expect, it } from 'vitest';

import { selectTfBackend, tfjs } from './tf-backend.loader';

const resolvable = (name: string): boolean => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};

describe('selectTfBackend', () => {
  it('activates the fastest backend that loads and says which', async () => {
    const { backend } = await selectTfBackend();
    const active = tfjs().getBackend();
    expect(active).toBe(backend.startsWith('tensorflow') ? 'tensorflow' : backend);
    // Without the optional native packages the WebAssembly backend (loaded offline from
    // node_modules) must win over plain JS.
    if (!resolvable('@tensorflow/tfjs-node') && !resolvable('@tensorflow/tfjs-node-gpu')) {
      expect(backend).toBe('wasm');
    }
  });

  it('chooses once per process', async () => {
    expect(selectTfBackend()).toBe(selectTfBackend());
    expect(await selectTfBackend()).toEqual(await selectTfBackend());
  });

  it('computes correctly on the chosen backend', async () => {
    await selectTfBackend();
    const tf = tfjs();
    const product = tf.tidy(() => tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.tensor2d([[5], [6]])).arraySync());
    expect(product).toEqual([[17], [39]]);
  });
});
