/** Every container (and network) deploy-check creates carries these labels, so cleanup finds exactly its own. */
export const LABEL_MANAGED = 'dev.deploy-check.managed';
export const LABEL_RUN = 'dev.deploy-check.run';

export function runLabels(runId: string): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_RUN]: runId };
}

export function containerName(runId: string): string {
  return `deploy-check-${runId}`;
}
