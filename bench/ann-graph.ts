// A usearch graph file mapped read-only with the settings it was built with, for the bench tools
// that compare graph files beside the served one (vectors-ann-graphs-ab.ts, vectors-ann-recall.ts).
import { Index, type MetricKind, type ScalarKind } from 'usearch';

export interface GraphSpec {
  file: string;
  metric: string;
  quantization: string;
  connectivity: number;
  /** The search width (expansion_search). */
  ef: number;
}

export function viewGraph(spec: GraphSpec, dims: number): Index {
  const index = new Index({
    dimensions: dims,
    metric: spec.metric as MetricKind,
    quantization: spec.quantization as ScalarKind,
    connectivity: spec.connectivity,
    // Only used while adding; a mapped file is searched, never added to.
    expansion_add: 256,
    expansion_search: spec.ef,
    multi: false,
  });
  index.view(spec.file);
  return index;
}
