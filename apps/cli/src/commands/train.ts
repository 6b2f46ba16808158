import type { Command } from 'commander';

import type { TrainingRequestInput } from '@atelier/sdk';

import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { CliError } from '../errors';
import { readJsonOrYaml } from '../files';
import { reportEndedJob, watchJob, type WatchOptions, withWatchOptions } from '../watch';

export function registerTrain(program: Command, io: CliIo): void {
  withWatchOptions(
    leaf(program, 'train <request>', 'start a training job from a JSON or YAML training request (the body of POST /api/training-jobs)'),
  ).action(
    action(io, async (ctx, options: WatchOptions, file: string) => {
      const request = await readJsonOrYaml(file, 'the training request');
      if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        throw new CliError(`the training request "${file}" must be an object with modelName, modelType, source, window, label, …`);
      }
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
