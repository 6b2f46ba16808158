import type { Command } from 'commander';

import type { UploadVersionFields } from '@atelier/sdk';

import { collectColumns } from '../args';
import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { readBytes, readJson } from '../files';
import { fields, formatAliases, formatTime, table } from '../output';

interface UploadOptions {
  signature?: string;
  columns?: Record<string, string[]>;
  description?: string;
  modelType?: string;
  alias?: string;
}

/** Inputs named in the human output of an upload; the rest are counted. */
const SHOWN_INPUTS = 12;

export function registerModels(program: Command, io: CliIo): void {
  const models = program.command('models').description('list, show and upload models');

  leaf(models, 'list', 'list the registered models').action(
    action(io, async ({ client, out }) => {
      const list = await client.listModels();
      out.result(list, () =>
        list.length === 0
          ? ['no models yet']
          : table(
              ['NAME', 'LATEST', 'ALIASES', 'CREATED', 'DESCRIPTION'],
              list.map((m) => [
                m.name,
                m.latestVersion ? `v${m.latestVersion}` : '-',
                formatAliases(m.aliases),
                formatTime(m.createdAt),
                m.description,
              ]),
            ),
      );
    }),
  );

  leaf(models, 'show <name>', 'show a model: description, latest version, aliases').action(
    action(io, async ({ client, out }, _options: object, name: string) => {
      const model = await client.getModel(name);
      out.result(model, () =>
        fields([
          ['name', model.name],
          ['description', model.description],
          ['latest version', model.latestVersion === null ? 'none yet' : String(model.latestVersion)],
          ['aliases', formatAliases(model.aliases)],
          ['created', formatTime(model.createdAt)],
        ]),
      );
    }),
  );

  leaf(models, 'upload <name> <file>', 'register an ONNX file as the next version of a model (created if new)')
    .option('--signature <file>', 'a JSON file with the signature (default: read from the ONNX graph)')
    .option('--columns <input=a,b,c>', 'column names of a multi-column graph input (repeatable)', collectColumns)
    .option('--description <text>', 'what this version is')
    .option('--model-type <type>', 'what made the model, e.g. sklearn (default: onnx)')
    .option('--alias <alias>', 'then point this alias at the new version, e.g. production')
    .action(
      action(io, async ({ client, out }, options: UploadOptions, name: string, file: string) => {
        const artifact = await readBytes(file, 'the ONNX file');
        const signature = options.signature === undefined ? undefined : await readJson(options.signature, 'the signature file');
        // multipart, as the web UI uploads: the file's bytes as they are, a third fewer than base64
        const created = await client.uploadVersion(name, new Blob([new Uint8Array(artifact)]), {
          // read from a file as it is: the registry validates it and says what is wrong
          signature: signature as UploadVersionFields['signature'],
          columns: options.columns,
          description: options.description,
          modelType: options.modelType,
        });
        if (options.alias) await client.setAlias(name, options.alias, created.version);
        const version = { ...created, aliases: options.alias ? [...new Set([...created.aliases, options.alias])] : created.aliases };
        const inputs = version.signature.inputs.map((i) => i.name);
        out.result(version, () => [
          `registered ${name} version ${version.version}`,
          ...fields([
            ['artifact', `${version.artifact.bytes} bytes, sha256 ${version.artifact.sha256.slice(0, 12)}…`],
            ['task', version.signature.task],
            ['inputs', inputs.slice(0, SHOWN_INPUTS).join(', ') + (inputs.length > SHOWN_INPUTS ? ` … (${inputs.length} in all)` : '')],
            ['aliases', version.aliases.join(', ')],
          ]),
        ]);
      }),
    );
}
