/** A small line chart of training loss per step (epoch, solver iteration or boosting round); plain SVG, no chart library. */
export function LossChart({ points }: { points: Array<{ x: number; y: number }> }) {
  const width = 480;
  const height = 120;
  const pad = { left: 48, right: 8, top: 8, bottom: 20 };
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad.left + ((x - xMin) / (xMax - xMin || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) => pad.top + (1 - (y - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  return (
    <figure className="chart" data-testid="loss-chart">
      <figcaption className="section-title">Loss</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`loss from ${ys[0].toFixed(4)} to ${ys[ys.length - 1].toFixed(4)}`}>
        <line className="axis" x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} />
        <line className="axis" x1={pad.left} x2={pad.left} y1={pad.top} y2={height - pad.bottom} />
        <text className="tick" x={pad.left - 6} y={pad.top + 8} textAnchor="end">
          {yMax.toFixed(3)}
        </text>
        <text className="tick" x={pad.left - 6} y={height - pad.bottom} textAnchor="end">
          {yMin.toFixed(3)}
        </text>
        <text className="tick" x={pad.left} y={height - 4}>
          {xMin}
        </text>
        <text className="tick" x={width - pad.right} y={height - 4} textAnchor="end">
          step {xMax}
        </text>
        <path className="line" d={path} />
        {points.map((p) => (
          <circle key={p.x} className="dot" cx={sx(p.x)} cy={sy(p.y)} r={2.5} />
        ))}
      </svg>
    </figure>
  );
}
