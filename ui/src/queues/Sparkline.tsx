// The small throughput chart of a queue card: completions (and failures) per 10 s over the last
// 10 minutes, drawn as SVG bars.
import type { ThroughputPoint } from "../bindings/ThroughputPoint";

export function Sparkline({ points, label }: { points: ThroughputPoint[]; label: string }) {
  const width = 180;
  const height = 36;
  const most = Math.max(1, ...points.map((p) => p.completed + p.failed));
  const bar = points.length > 0 ? width / points.length : width;
  const total = points.reduce((sum, p) => sum + p.completed, 0);
  const failed = points.reduce((sum, p) => sum + p.failed, 0);
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${String(width)} ${String(height)}`}
      role="img"
      aria-label={`${label}: ${String(total)} completed and ${String(failed)} failed in the last 10 minutes`}
    >
      <line className="spark-base" x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} />
      {points.map((p, i) => {
        const done = (p.completed / most) * (height - 2);
        const bad = (p.failed / most) * (height - 2);
        const x = i * bar;
        return (
          <g key={p.at}>
            <rect className="spark-done" x={x} y={height - done} width={Math.max(1, bar - 1)} height={done} />
            <rect className="spark-failed" x={x} y={height - done - bad} width={Math.max(1, bar - 1)} height={bad} />
          </g>
        );
      })}
    </svg>
  );
}
