// The generated search evaluation's defaults, apart from the evaluation itself: the CLI states
// them in its --help without loading the generators and the MiniSearch peer.
export const DEFAULT_EVAL_SEED = 18;
export const DEFAULT_PER_KIND = 1000;
