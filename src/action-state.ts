/**
 * The names under which main hands state to the post step (`core.saveState` / `core.getState`).
 * A leaf module on purpose: the post step imports it without loading main's pipeline.
 */

/** The run id: labels every container and network main created, so post can remove them. */
export const STATE_RUN_ID = 'run-id';
/** The buildx builder main created for the run, removed by the post step. */
export const STATE_BUILDER = 'builder';
/** The image tag main made up (no `image` input): the post step removes it on self-hosted runners. */
export const STATE_IMAGE = 'image-tag';
