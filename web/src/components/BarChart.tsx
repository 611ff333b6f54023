// A horizontal bar chart in plain SVG: a figure with a title, each bar labelled with its value, and
// the same numbers as a visually hidden table for screen readers.
export interface Bar {
  label: string;
  value: number;
  colour?: string;
}

export function BarChart({ title, bars }: { title: string; bars: Bar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowHeight = 28;
  const labelWidth = 140;
  const width = 480;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${Math.max(1, bars.length) * rowHeight}`} width="100%" role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ') || 'no data'}`}>
        {bars.map((bar, i) => {
          const w = ((width - labelWidth - 50) * bar.value) / max;
          return (
            <g key={bar.label} transform={`translate(0 ${i * rowHeight})`}>
              <text x={0} y={18} fontSize={13} fill="#1b1f24">
                {bar.label.length > 20 ? `${bar.label.slice(0, 19)}…` : bar.label}
              </text>
              <rect x={labelWidth} y={5} width={Math.max(w, bar.value ? 2 : 0)} height={rowHeight - 10} fill={bar.colour ?? '#0b57d0'} rx={3} />
              <text x={labelWidth + w + 6} y={18} fontSize={13} fill="#1b1f24">
                {bar.value}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export interface StackedColumn {
  label: string;
  parts: { name: string; value: number; colour: string }[];
}

/** Columns of stacked parts (sync outcomes per day), with a legend. */
export function StackedColumns({ title, columns }: { title: string; columns: StackedColumn[] }) {
  const max = Math.max(1, ...columns.map((c) => c.parts.reduce((s, p) => s + p.value, 0)));
  const height = 160;
  const colWidth = 44;
  const width = Math.max(1, columns.length) * colWidth + 10;
  const legend = columns[0]?.parts ?? [];
  const described = columns.map((c) => `${c.label}: ${c.parts.map((p) => `${p.value} ${p.name}`).join(', ')}`).join('; ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 24}`} width={Math.min(width * 1.5, 640)} role="img" aria-label={`${title}: ${described || 'no runs yet'}`}>
        {columns.map((column, i) => {
          let y = height;
          return (
            <g key={column.label} transform={`translate(${i * colWidth + 10} 0)`}>
              {column.parts.map((part) => {
                const h = (height * part.value) / max;
                y -= h;
                return <rect key={part.name} x={0} y={y} width={colWidth - 12} height={h} fill={part.colour} />;
              })}
              <text x={0} y={height + 16} fontSize={11} fill="#1b1f24">
                {column.label}
              </text>
            </g>
          );
        })}
      </svg>
      <p className="legend">
        {legend.map((part) => (
          <span key={part.name}>
            <span className="swatch" style={{ background: part.colour }} aria-hidden="true" /> {part.name}
          </span>
        ))}
      </p>
    </figure>
  );
}
