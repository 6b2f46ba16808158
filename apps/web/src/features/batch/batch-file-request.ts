import type { UploadBatchJobFields } from '@atelier/sdk';

/** What the "Score a file" form holds, as typed. */
export interface FileFormState {
  model: string;
  /** `production`, another alias, or `v3` for a version */
  target: string;
  timeColumn: string;
  /** one `entity=column` per line or comma */
  joinKeys: string;
  /** column names, separated by commas */
  passthrough: string;
  publish: boolean;
}

export const initialFileForm: FileFormState = {
  model: '',
  target: 'production',
  timeColumn: '',
  joinKeys: '',
  passthrough: '',
  publish: false,
};

/**
 * The upload's text fields from the form, or the problems a person must fix first (the API
 * checks the rest against the file: each missing column is named there).
 */
export function fileJobFields(form: FileFormState): { fields: UploadBatchJobFields } | { problems: string[] } {
  const problems: string[] = [];
  if (!form.model) problems.push('model: choose the model that scores the file');
  const target = form.target.trim();
  const version = /^v(\d+)$/.exec(target);
  const joinKeys: Record<string, string> = {};
  for (const pair of list(form.joinKeys, /[\n,]/)) {
    const [entity, column, ...rest] = pair.split('=').map((part) => part.trim());
    if (!entity || !column || rest.length > 0) problems.push(`join keys: "${pair}" is not entity=column`);
    else joinKeys[entity] = column;
  }
  if (problems.length > 0) return { problems };
  const passthrough = list(form.passthrough, /,/);
  return {
    fields: {
      model: form.model,
      ...(version ? { version: Number(version[1]) } : target ? { alias: target } : {}),
      ...(form.timeColumn.trim() ? { timeColumn: form.timeColumn.trim() } : {}),
      ...(Object.keys(joinKeys).length > 0 ? { joinKeys } : {}),
      ...(passthrough.length > 0 ? { passthrough } : {}),
      ...(form.publish ? { publish: true } : {}),
    },
  };
}

function list(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((part) => part.trim())
    .filter(Boolean);
}
