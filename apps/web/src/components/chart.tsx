import { useEffect, useRef } from 'react';
import uPlot, { AlignedData, Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

interface ChartProps {
  /** Options without width (the chart fills its container and follows its resizes). */
  options: Omit<Options, 'width'>;
  data: AlignedData;
  /** What the chart shows, for screen readers (the numbers are also in a table next to it). */
  label: string;
  testId?: string;
}

/** A uPlot chart; recreated when the options change, fed new data in place otherwise. */
export function Chart({ options, data, label, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const chart = new uPlot({ ...options, width: Math.max(200, el.clientWidth) }, data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height: options.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- data updates go through setData below
  }, [options]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const points = data[0]?.length ?? 0;
  return <div className="chart" ref={box} role="img" aria-label={label} data-testid={testId} data-points={points} />;
}

/** A small line over time without axes: the run detail's telemetry sparklines. */
export function Sparkline({
  times,
  values,
  label,
  color,
  testId,
}: {
  times: number[];
  values: (number | null)[];
  label: string;
  color: string;
  testId?: string;
}) {
  // One measurement draws no line: it is shown as a dot.
  const single = values.filter((value) => value !== null).length === 1;
  const options = useSparklineOptions(color, single);
  return <Chart options={options} data={[times, values]} label={label} testId={testId} />;
}

const sparklineOptions = new Map<string, Omit<Options, 'width'>>();

function useSparklineOptions(color: string, single: boolean): Omit<Options, 'width'> {
  const key = `${color}:${single}`;
  let options = sparklineOptions.get(key);
  if (!options) {
    options = {
      height: 60,
      pxAlign: false,
      cursor: { show: true, points: { show: false } },
      legend: { show: false },
      scales: { x: { time: true } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: color, width: 2, fill: `${color}22`, points: { show: single, size: 8, fill: color } }],
    };
    sparklineOptions.set(key, options);
  }
  return options;
}
