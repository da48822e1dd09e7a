// Chart.js, registered with only the pieces the dashboard draws (tree-shaken by esbuild).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  type ScriptableContext,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#5f5b78';
Chart.defaults.animation = false; // live data: a redraw every 2 s should not animate

export const PALETTE = ['#5b3df5', '#f53d8a', '#17a673', '#f5a623', '#2a9df4', '#a23df5'];

/**
 * Lines are drawn without points, so a value with no neighbour (the first sample of a
 * percentile after start, or after a quiet spell that left gaps) would not show at all: it
 * gets a dot.
 */
export function isolatedPointRadius(ctx: ScriptableContext<'line'>): number {
  const data = ctx.dataset.data as (number | null)[];
  const i = ctx.dataIndex;
  const present = (j: number) => j >= 0 && j < data.length && data[j] !== null && data[j] !== undefined;
  return present(i) && !present(i - 1) && !present(i + 1) ? 3 : 0;
}

/**
 * A canvas whose chart is made once and then fed new labels and data: updating in place
 * keeps the canvas (and the page around it) still while the numbers move.
 */
export function ChartCanvas({ config, label, height = 220 }: { config: ChartConfiguration; label: string; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, { ...config, options: { maintainAspectRatio: false, responsive: true, ...config.options } });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // Made once; later configs only replace the data below.
  }, []);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = config.data.labels;
    config.data.datasets.forEach((d, i) => {
      const target = c.data.datasets[i];
      if (target) target.data = d.data;
      else c.data.datasets.push(d);
    });
    c.update('none');
  });
  return (
    <div class="chart" style={{ height: `${height}px` }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
