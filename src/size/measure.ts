import type Docker from 'dockerode';
import type { SizeReport } from '../report/model.ts';

/** First measurement: the image's uncompressed size from its layer history. */
export async function measureImage(docker: Docker, imageRef: string): Promise<SizeReport> {
  const history = (await docker.getImage(imageRef).history()) as { Size: number; CreatedBy: string }[];
  const bytes = history.reduce((sum, h) => sum + (h.Size > 0 ? h.Size : 0), 0);
  return {
    status: 'measured',
    bytes,
    compressedBytes: null,
    layers: [],
    baseline: null,
    delta: null,
    budget: {},
  };
}
