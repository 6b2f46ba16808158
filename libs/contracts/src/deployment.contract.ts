import { z } from 'zod';

import { IsoTime, Name, VersionNumber } from './common.contract';

/**
 * The alias a deployment splits: requests that name no alias and no version are served by it,
 * and only they are split between the primary version, a canary and a shadow.
 */
export const PRIMARY_ALIAS = 'production';

/** A candidate version answering a share of the primary alias's traffic. */
export const CanarySplit = z.object({
  version: VersionNumber,
  /** percent of the traffic the canary answers, 0–100 */
  share: z.number().min(0).max(100),
  /**
   * The entity whose key keeps a caller on one arm (e.g. `airport`): the arm is a hash of the
   * model and that key. Requests without that entity, or when none is named, are drawn one by one.
   */
  stickyBy: Name.nullable().default(null),
});
export type CanarySplit = z.infer<typeof CanarySplit>;
export type CanarySplitInput = z.input<typeof CanarySplit>;

/** A version that scores a copy of every primary-alias request in the background, logged, never answered. */
export const ShadowCopy = z.object({ version: VersionNumber });
export type ShadowCopy = z.infer<typeof ShadowCopy>;

export const SetDeploymentRequest = z.object({
  canary: CanarySplit.nullable().default(null),
  shadow: ShadowCopy.nullable().default(null),
});
export type SetDeploymentRequest = z.infer<typeof SetDeploymentRequest>;
export type SetDeploymentRequestInput = z.input<typeof SetDeploymentRequest>;

/** Which version answered a request served through the primary alias of a model with a canary or shadow. */
export const Arm = z.enum(['primary', 'canary']);
export type Arm = z.infer<typeof Arm>;

export const DeploymentResponse = z.object({
  model: z.string(),
  alias: z.string(),
  /** the version the primary alias points at (null before it is set) */
  primaryVersion: z.number().int().nullable(),
  canary: CanarySplit.nullable(),
  shadow: ShadowCopy.nullable(),
  /** null while the model has never had a canary or shadow */
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type DeploymentResponse = z.infer<typeof DeploymentResponse>;

export const DeploymentAction = z.enum(['deployment-changed', 'deployment-rolled-back', 'canary-promoted']);
export type DeploymentAction = z.infer<typeof DeploymentAction>;

export const DeploymentHistoryEntry = z.object({
  action: DeploymentAction,
  primaryVersion: z.number().int().nullable(),
  canary: CanarySplit.nullable(),
  shadow: ShadowCopy.nullable(),
  actor: z.string(),
  at: z.string(),
});
export type DeploymentHistoryEntry = z.infer<typeof DeploymentHistoryEntry>;

/** Kafka `model-events`: every serving replica routes by the new split from now on. */
export const DeploymentChangedEvent = z.object({
  type: z.literal('deployment-changed'),
  schemaVersion: z.literal(1),
  model: z.string(),
  canary: CanarySplit.nullable(),
  shadow: ShadowCopy.nullable(),
  at: IsoTime,
});
export type DeploymentChangedEvent = z.infer<typeof DeploymentChangedEvent>;
