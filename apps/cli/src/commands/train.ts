import type { Command } from 'commander';

import type { PreviewSlice, TrainingPreviewResponse, TrainingRequestInput } from '@atelier/sdk';

import { action, leaf } from '../command';
import type { CliIo, Context } from '../context';
import { CliError } from '../errors';
import { readJsonOrYaml } from '../files';
import { reportEndedJob, watchJob, type WatchOptions, withWatchOptions } from '../watch';

export function registerTrain(program: Command, io: CliIo): void {
  withWatchOptions(
    leaf(program, 'train <request>', 'start a training job from a JSON or YAML training request (the body of POST /api/training-jobs)'),
  )
    .option(
      '--preview',
      'only read what the request would train on (rows per slice, label balance, coverage, problems); no job; exit 1 on a problem',
    )
    .action(
      action(io, async (ctx, options: WatchOptions & { preview?: boolean }, file: string) => {
        const request = await readJsonOrYaml(file, 'the training request');
        if (typeof request !== 'object' || request === null || Array.isArray(request)) {
          throw new CliError(`the training request "${file}" must be an object with modelName, modelType, source, window, label, …`);
        }
        if (options.preview) return reportPreview(ctx, await ctx.client.previewTraining(request as TrainingRequestInput));
        // sent as it is: the training API validates it and names every wrong field
        const job = await ctx.client.startTraining(request as TrainingRequestInput);
        if (!options.watch) {
          ctx.out.result(job, () => [
            `started training job ${job.id} for ${job.modelName} (${job.status})`,
            `follow it with: atelier jobs show ${job.id} --watch`,
          ]);
          return;
        }
        if (!ctx.json) ctx.out.lines([`started training job ${job.id} for ${job.modelName}`]);
        reportEndedJob(ctx, await watchJob(ctx, job, options.interval * 1000));
      }),
    );
}

const share = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);

/** The preview as lines (or the JSON document); problems fail the command, so scripts can stop before training. */
function reportPreview(ctx: Context, preview: TrainingPreviewResponse): void {
  const { training, validation } = preview.slices;
  const slice = (name: string, s: PreviewSlice) =>
    `${name.padEnd(10)} ${s.sourceRows} rows, ${share(s.labelledShare)} labelled, about ${s.estimatedLabelRows} label rows` +
    (s.sampledRows < s.sourceRows ? ` (sampled ${s.sampledRows})` : '');
  const { classes, summary } = preview.label;
  const label = classes
    ? classes.map((c) => `${c.value}: ${share(c.share)}`).join(', ')
    : summary
      ? `min ${summary.min}, mean ${summary.mean.toPrecision(4)}, max ${summary.max}, std ${summary.std.toPrecision(4)}`
      : '—';
  ctx.out.result(preview, () => [
    slice('training', training),
    slice('validation', validation),
    `label      ${label}`,
    ...preview.inputs.map((i) => `input      ${i.name} (${i.source}): ${share(i.missingShare)} missing`),
    ...preview.warnings.map((w) => `warning    ${w}`),
    ...preview.problems.map((p) => `problem    ${p}`),
  ]);
  if (preview.problems.length > 0) throw new CliError(`the request would not train: ${preview.problems.join('; ')}`);
}
