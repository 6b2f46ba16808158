import type { Metadata } from 'next';

import { UploadView } from '../../src/features/models/upload-view';

export const metadata: Metadata = { title: 'Upload a model' };

// a page of its own, not under /models/: "upload" is a valid model name
export default function UploadPage() {
  return <UploadView />;
}
