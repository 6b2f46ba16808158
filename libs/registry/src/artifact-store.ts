import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Inject, Injectable } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

/**
 * Model artifacts on the local file system (`ATELIER_ARTIFACT_DIR`), addressed by URIs of the
 * form `local://<model>/<version>/model.onnx`. Writes go to a temporary name first, so a
 * reader never sees half a file.
 */
@Injectable()
export class ArtifactStore {
  private readonly root: string;

  constructor(@Inject(ATELIER_CONFIG) config: AtelierConfig) {
    this.root = path.resolve(config.artifactDir);
  }

  static sha256(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  uri(model: string, version: number): string {
    return `local://${model}/${version}/model.onnx`;
  }

  async write(uri: string, bytes: Uint8Array): Promise<void> {
    const file = this.fileOf(uri);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  }

  async remove(uri: string): Promise<void> {
    await rm(this.fileOf(uri), { force: true });
  }

  read(uri: string): Promise<Buffer> {
    return readFile(this.fileOf(uri));
  }

  private fileOf(uri: string): string {
    const relative = uri.replace(/^local:\/\//, '');
    const file = path.resolve(this.root, relative);
    if (!file.startsWith(this.root + path.sep)) throw new Error(`artifact uri escapes the store: ${uri}`);
    return file;
  }
}
