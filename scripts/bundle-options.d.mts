import type { BuildOptions, Metafile } from 'esbuild';

export declare const bundleOptions: BuildOptions;
export declare function loadedOutputs(metafile: Metafile, entryOutput: string): string[];
