import type { BuildOptions, Metafile } from 'esbuild';

export declare const bundleOptions: BuildOptions;
export declare function loadedOutputs(metafile: Metafile, entryOutput: string): string[];
/** A file of the bundle: its path relative to the working directory and its text. */
export interface BundleFile {
  path: string;
  contents: string;
}
export declare function bundleFiles(extra: BuildOptions): Promise<{ files: BundleFile[]; metafile: Metafile }>;
export declare function stableNames(metafile: Metafile): Map<string, string>;
