/** What each demo model's module produces; build.ts writes it to disk. */
export interface DemoModelVersion {
  readonly version: string;
  /** undefined for an ensemble, whose version folder holds no model file. */
  readonly onnx: Uint8Array | undefined;
  /** Figures measured while building (accuracy, disagreement...), for the build log and report. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface DemoModelArtifacts {
  readonly name: string;
  readonly modelYaml: string;
  readonly versions: readonly DemoModelVersion[];
  /** Other files of the model's directory, by file name (fraud: golden.json for rollout gates). */
  readonly files?: Readonly<Record<string, string>>;
}
