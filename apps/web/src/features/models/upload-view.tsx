'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { parseColumns } from './upload-columns';

/**
 * Registers an ONNX file made elsewhere (scikit-learn via skl2onnx, LightGBM, PyTorch …) as the
 * next version of a model. The registry reads its signature from the graph; a multi-column input
 * gets its column names here, one input per line (`X = sepal_length, sepal_width, …`).
 */
export function UploadView() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [description, setDescription] = useState('');
  const [columns, setColumns] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setSubmitting(true);
    setError(undefined);
    try {
      const parsed = parseColumns(columns);
      const version = await api.uploadVersion(name, file, { description, ...(parsed ? { columns: parsed } : {}) });
      router.push(`/models/${encodeURIComponent(name)}?version=${version.version}`);
    } catch (caught) {
      setError(caught);
      setSubmitting(false);
    }
  };

  return (
    <>
      <p className="breadcrumb">
        <Link href="/models">Models</Link> / <span>Upload</span>
      </p>
      <PageHeader title="Upload an ONNX model" description="A model trained elsewhere, exported to ONNX, registered as the next version." />
      <form className="card form" onSubmit={(event) => void submit(event)} data-testid="upload-form" noValidate>
        <label className="field">
          <span>Model name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} name="name" required spellCheck={false} />
          <small className="hint">Lower-case letters, digits, “_” or “-”. An existing name gets a new version.</small>
        </label>
        <label className="field">
          <span>ONNX file</span>
          <input type="file" accept=".onnx" name="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
          <small className="hint">Checked before anything is stored: the graph is read and loaded into ONNX Runtime.</small>
        </label>
        <label className="field">
          <span>Description</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} name="description" maxLength={500} />
        </label>
        <label className="field">
          <span>Column names (optional)</span>
          <textarea
            value={columns}
            onChange={(e) => setColumns(e.target.value)}
            name="columns"
            rows={3}
            spellCheck={false}
            placeholder="X = sepal_length, sepal_width, petal_length, petal_width"
          />
          <small className="hint">For a graph input of several columns, one line per input; without names they are X_0, X_1, …</small>
        </label>
        {error ? <ErrorNotice error={error} /> : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={submitting || !file || !name} data-testid="upload-submit">
            {submitting ? 'Uploading…' : 'Upload'}
          </button>
        </div>
      </form>
    </>
  );
}
