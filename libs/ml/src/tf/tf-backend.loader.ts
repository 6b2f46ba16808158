import * as path from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');
export type TfBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface TfBackendSelection {
  backend: TfBackendName;
}

/**
 * TensorFlow.js is loaded with `require`, lazily: importing `@atelier/ml` for metrics or ONNX
 * export must not pay for (or print the banner of) TensorFlow.js. The native bindings
 * (`tfjs-node`, `tfjs-node-gpu`) share this same `@tensorflow/tfjs` core instance, so whichever
 * backend they register is the one the trainers below use.
 */
export function tfjs(): Tf {
  return require('@tensorflow/tfjs') as Tf;
}

let selection: Promise<TfBackendSelection> | undefined;

/**
 * Picks the fastest TensorFlow.js backend that loads on this machine — tfjs-node-gpu, tfjs-node,
 * WebAssembly, then plain JS — makes it the active backend and says which one it chose (the
 * caller logs it). Memoised: the choice is made once per process.
 */
export function selectTfBackend(): Promise<TfBackendSelection> {
  selection ??= chooseBackend();
  return selection;
}

async function chooseBackend(): Promise<TfBackendSelection> {
  const tf = tfjs();
  // Both native packages register a backend called 'tensorflow'; which package loaded tells GPU
  // from CPU. They are optional dependencies, so a failed require is the normal case.
  if (tryRequire('@tensorflow/tfjs-node-gpu') && (await activate(tf, 'tensorflow'))) {
    return { backend: 'tensorflow-gpu' };
  }
  if (tryRequire('@tensorflow/tfjs-node') && (await activate(tf, 'tensorflow'))) {
    return { backend: 'tensorflow' };
  }
  if (loadWasmBackend() && (await activate(tf, 'wasm'))) {
    return { backend: 'wasm' };
  }
  await activate(tf, 'cpu');
  return { backend: 'cpu' };
}

function tryRequire(moduleName: string): boolean {
  try {
    require(moduleName);
    return true;
  } catch {
    return false;
  }
}

function loadWasmBackend(): boolean {
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    // Point the loader at the .wasm files shipped in node_modules so it never reaches for a CDN.
    const distDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths(distDir + path.sep);
    return true;
  } catch {
    return false;
  }
}

async function activate(tf: Tf, name: string): Promise<boolean> {
  try {
    // setBackend resolves false (or throws) when the backend fails to initialise.
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}
