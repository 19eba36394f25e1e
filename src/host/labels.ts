/** Every container (and network) deploy-check creates carries these labels, so cleanup finds exactly its own. */
export const LABEL_MANAGED = 'dev.deploy-check.managed';
export const LABEL_RUN = 'dev.deploy-check.run';

export function runLabels(runId: string): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_RUN]: runId };
}

/**
 * A second tag the build gives the image, this run's alone: on the containerd image store an
 * image whose last tag moves is deleted, so when another run builds the same `image` tag, this
 * one keeps the image checked here alive until the run's cleanup removes it.
 */
export function holdTag(runId: string): string {
  return `deploy-check-run:${runId}`;
}

export function containerName(runId: string): string {
  return `deploy-check-${runId}`;
}
