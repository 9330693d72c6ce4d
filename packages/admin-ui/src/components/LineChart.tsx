export interface ChartPoint {
  /** Epoch milliseconds. */
  t: number
  v: number
}

export interface ChartSeries {
  label: string
  /** A CSS colour, usually a theme variable such as `var(--chart-1)`. */
  color: string
  points: ChartPoint[]
}

export interface LineChartProps {
  title: string
  series: ChartSeries[]
  format: (value: number) => string
  testId?: string
}

const W = 640
const H = 180
const PAD = { top: 12, right: 12, bottom: 22, left: 52 }

const clock = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** A small hand-drawn SVG line chart: a few series over time, latest values in the legend. */
export function LineChart({ title, series, format, testId }: LineChartProps) {
  const all = series.flatMap((s) => s.points)
  const latest = series.map((s) => ({ s, value: s.points.at(-1)?.v }))
  const summary = latest
    .map(({ s, value }) => `${s.label} ${value === undefined ? 'no data' : format(value)}`)
    .join(', ')

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        <span className="chart-title">{title}</span>
        <ul className="legend">
          {latest.map(({ s, value }) => (
            <li key={s.label}>
              <span className="swatch" style={{ background: s.color }} />
              {s.label} <strong>{value === undefined ? '–' : format(value)}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
      {all.length < 2 ? (
        <div className="chart-empty muted">Collecting samples…</div>
      ) : (
        <Plot series={series} format={format} label={`${title}: ${summary}`} />
      )}
    </figure>
  )
}

function Plot({
  series,
  format,
  label,
}: {
  series: ChartSeries[]
  format: (v: number) => string
  label: string
}) {
  const all = series.flatMap((s) => s.points)
  const t0 = Math.min(...all.map((p) => p.t))
  const t1 = Math.max(...all.map((p) => p.t))
  const vMax = niceMax(Math.max(...all.map((p) => p.v)))
  const x = (t: number) => PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right)
  const y = (v: number) => H - PAD.bottom - (v / vMax) * (H - PAD.top - PAD.bottom)
  const ticks = [0, vMax / 2, vMax]

  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={label}
      className="chart-svg"
      // The time span drawn, for tests and tools; the axis labels show it to people.
      data-from={t0}
      data-to={t1}
    >
      {ticks.map((tick) => (
        <g key={tick}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} className="grid" />
          <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" className="axis">
            {format(tick)}
          </text>
        </g>
      ))}
      <text x={PAD.left} y={H - 6} className="axis">
        {clock.format(t0)}
      </text>
      <text x={W - PAD.right} y={H - 6} textAnchor="end" className="axis">
        {clock.format(t1)}
      </text>
      {series.map((s) =>
        s.points.length > 1 ? (
          <polyline
            key={s.label}
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            strokeLinejoin="round"
            points={s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}
          />
        ) : null,
      )}
    </svg>
  )
}

/** Rounds a maximum up to 1, 2 or 5 times a power of ten, so axis labels read well. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10
  return step * power
}
