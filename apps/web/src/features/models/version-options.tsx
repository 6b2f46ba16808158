import type { ModelVersionResponse } from '@atelier/contracts';

/** A select's options, one per version as given: `v3 (production)`. */
export function VersionOptions({ versions }: { versions: ModelVersionResponse[] }) {
  return versions.map((v) => (
    <option key={v.version} value={v.version}>
      v{v.version}
      {v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}
    </option>
  ));
}
