import { z } from 'zod';

import { IsoTime } from './common.contract';
import { ModelTask } from './training.contract';

/** Label rows a preview reads at most per slice of the window, spread evenly over it. */
export const PREVIEW_SAMPLE_ROWS = 5_000;
/** Sample rows a preview shows. */
export const PREVIEW_SHOWN_ROWS = 10;

/** One slice of the window: exact source rows, and what the sample says about their labels. */
export const PreviewSlice = z.object({
  start: IsoTime,
  end: IsoTime,
  /** rows of the source group in the slice (exact) */
  sourceRows: z.number().int(),
  /** rows of the slice the preview read */
  sampledRows: z.number().int(),
  /** share of the sampled rows whose label expression gives a value */
  labelledShare: z.number().nullable(),
  /** sourceRows × labelledShare: rows the job would train or validate on (before `maxRows`) */
  estimatedLabelRows: z.number().int(),
});
export type PreviewSlice = z.infer<typeof PreviewSlice>;

/** The label over the sampled rows of both slices: class shares, or a numeric summary. */
export const PreviewLabel = z.object({
  task: ModelTask,
  /** classification: each label value with its share of the labelled sample, most frequent first */
  classes: z.array(z.object({ value: z.number(), share: z.number() })).optional(),
  /** regression: the labelled sample's distribution */
  summary: z.object({ min: z.number(), mean: z.number(), max: z.number(), std: z.number() }).optional(),
});
export type PreviewLabel = z.infer<typeof PreviewLabel>;

/** A model input's coverage in the labelled sample (after the point-in-time join). */
export const PreviewInput = z.object({
  name: z.string(),
  source: z.enum(['feature', 'request', 'transform', 'categorical']),
  /** share of labelled sample rows without a value */
  missingShare: z.number(),
  /** numeric inputs: the sample's range (null when every value is missing) */
  min: z.number().nullable().optional(),
  max: z.number().nullable().optional(),
  /** categorical inputs: distinct values in the sample */
  distinct: z.number().int().optional(),
});
export type PreviewInput = z.infer<typeof PreviewInput>;

export const PreviewRow = z.object({
  eventTime: IsoTime,
  slice: z.enum(['training', 'validation']),
  label: z.number().nullable(),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
});
export type PreviewRow = z.infer<typeof PreviewRow>;

/**
 * What a training request would train on, read before any job starts: `problems` would make the
 * job fail or train nothing useful (no label rows, a constant label, a feature never present);
 * `warnings` deserve a look (a feature mostly missing, a rare class).
 */
export const TrainingPreviewResponse = z.object({
  slices: z.object({ training: PreviewSlice, validation: PreviewSlice }),
  label: PreviewLabel,
  inputs: z.array(PreviewInput),
  rows: z.array(PreviewRow),
  problems: z.array(z.string()),
  warnings: z.array(z.string()),
  /** how long the preview took to read and compute, ms */
  ms: z.number(),
});
export type TrainingPreviewResponse = z.infer<typeof TrainingPreviewResponse>;
