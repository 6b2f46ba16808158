/** Node.js running TypeScript through swc: how the benchmarks start servers and tools from the working tree. */
export const NODE_TS = [process.execPath, '-r', '@swc-node/register'];

/**
 * What follows `node` to start the platform from the working tree for a benchmark:
 * `BENCH_PLATFORM_NODE_ARGS`' Node flags (also those `NODE_OPTIONS` refuses, such as
 * `--trace-gc-nvp`) and, with `BENCH_PROFILE_DIR`, a V8 CPU profile of each of its processes,
 * written there when it stops.
 */
export function platformArgs(entry: string): string[] {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  return [
    ...NODE_TS.slice(1),
    ...(process.env.BENCH_PLATFORM_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    entry,
  ];
}
