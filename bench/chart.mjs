// Draws the comparison chart (docs/performance-compare.svg) from bench/compare.mjs's JSON: median
// wall time per agent against the number of maildirs, one panel per message size (4 KiB and
// 20 MiB by default), on a log scale. Plain SVG written by hand: no network, no dependency.
//
//   node bench/chart.mjs bench/results/compare.json OUT.svg [SIZE...]
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output, ...wanted] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  console.error('usage: node bench/chart.mjs COMPARE.json OUT.svg ["4 KiB" "20 MiB" ...]');
  process.exit(2);
}
const data = JSON.parse(readFileSync(input, 'utf8'));
const sizes = wanted.length > 0 ? wanted : ['4 KiB', '20 MiB'];
const COUNTS = [1, 3, 8, 32];
// Colour-blind-safe (Okabe–Ito) colours and a distinct marker per agent.
const STYLE = {
  fanout: { color: '#0072B2', marker: 'circle', width: 3 },
  safecat: { color: '#E69F00', marker: 'square', width: 1.5 },
  procmail: { color: '#009E73', marker: 'diamond', width: 1.5 },
  maildrop: { color: '#CC79A7', marker: 'triangle', width: 1.5 },
  fdm: { color: '#D55E00', marker: 'cross', width: 1.5 },
};

const panelW = 360;
const panelH = 300;
const margin = { top: 58, right: 20, bottom: 48, left: 62 };
const gap = 40;
const legendH = 28;
const width = margin.left + sizes.length * panelW + (sizes.length - 1) * gap + margin.right;
const height = margin.top + panelH + margin.bottom + legendH;

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const get = (agent, size, count) =>
  data.results.find((r) => r.agent === agent && r.size === size && r.count === count);
const node = data.results.find((r) => r.agent === 'node');

// One log scale for all panels, from whole decades around every plotted value.
const values = sizes.flatMap((s) =>
  data.agents.flatMap((a) => COUNTS.map((n) => get(a.id, s, n)?.wallMedian).filter((v) => v !== undefined)),
);
if (node !== undefined) values.push(node.wallMedian);
const lo = Math.floor(Math.log10(Math.min(...values)));
const hi = Math.ceil(Math.log10(Math.max(...values)));
const y = (ms) => margin.top + panelH - ((Math.log10(ms) - lo) / (hi - lo)) * panelH;
const x0 = (p) => margin.left + p * (panelW + gap);
const x = (p, i) => x0(p) + ((i + 0.5) / COUNTS.length) * panelW;

function marker(kind, cx, cy, color) {
  const r = 4.5;
  switch (kind) {
    case 'circle':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${color}"/>`;
    case 'square':
      return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${cx} ${cy - r - 1}L${cx + r + 1} ${cy}L${cx} ${cy + r + 1}L${cx - r - 1} ${cy}Z" fill="${color}"/>`;
    case 'triangle':
      return `<path d="M${cx} ${cy - r - 1}L${cx + r + 1} ${cy + r}L${cx - r - 1} ${cy + r}Z" fill="${color}"/>`;
    default:
      return `<path d="M${cx - r} ${cy - r}L${cx + r} ${cy + r}M${cx - r} ${cy + r}L${cx + r} ${cy - r}" stroke="${color}" stroke-width="2.5"/>`;
  }
}

const f = (v) => v.toFixed(1);
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  `<rect width="${width}" height="${height}" fill="#fff"/>`,
  `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">Median wall time, one message into N maildirs (log scale; lower is better)</text>`,
  `<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">${esc(`bash bench/run.sh compare${data.quick ? ' (QUICK run)' : ''}; every command under env -i, process start included`)}</text>`,
];
sizes.forEach((size, p) => {
  const left = x0(p);
  svg.push(
    `<text x="${left + panelW / 2}" y="${margin.top - 6}" text-anchor="middle" font-weight="bold">${esc(size)} message</text>`,
  );
  // Grid: decades and 2×, 5× lines, labelled.
  for (let e = lo; e <= hi; e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (Math.log10(v) > hi + 1e-9) continue;
      const yy = f(y(v));
      svg.push(
        `<line x1="${left}" x2="${left + panelW}" y1="${yy}" y2="${yy}" stroke="${m === 1 ? '#bbb' : '#e6e6e6'}"/>`,
      );
      const label = v >= 1000 ? `${v / 1000} s` : `${v} ms`;
      svg.push(`<text x="${left - 6}" y="${f(y(v) + 4)}" text-anchor="end" fill="#444">${label}</text>`);
    }
  svg.push(
    `<rect x="${left}" y="${margin.top}" width="${panelW}" height="${panelH}" fill="none" stroke="#888"/>`,
  );
  COUNTS.forEach((n, i) =>
    svg.push(`<text x="${f(x(p, i))}" y="${margin.top + panelH + 18}" text-anchor="middle">${n}</text>`),
  );
  svg.push(
    `<text x="${left + panelW / 2}" y="${margin.top + panelH + 36}" text-anchor="middle" fill="#444">maildirs</text>`,
  );
  if (node !== undefined && size === '4 KiB') {
    const yy = f(y(node.wallMedian));
    svg.push(
      `<line x1="${left}" x2="${left + panelW}" y1="${yy}" y2="${yy}" stroke="#000" stroke-dasharray="5 4"/>`,
    );
    svg.push(
      `<text x="${left + 6}" y="${f(y(node.wallMedian) - 5)}" fill="#000">node -e '' ${f(node.wallMedian)} ms</text>`,
    );
  }
  for (const a of data.agents) {
    const style = STYLE[a.id] ?? { color: '#333', marker: 'circle', width: 1.5 };
    const points = COUNTS.map((n, i) => [i, get(a.id, size, n)]).filter(([, r]) => r !== undefined);
    if (points.length === 0) continue;
    const d = points.map(([i, r], k) => `${k === 0 ? 'M' : 'L'}${f(x(p, i))} ${f(y(r.wallMedian))}`).join('');
    svg.push(`<path d="${d}" fill="none" stroke="${style.color}" stroke-width="${style.width}"/>`);
    for (const [i, r] of points) {
      svg.push(
        `<g>${marker(style.marker, +f(x(p, i)), +f(y(r.wallMedian)), style.color)}<title>${esc(`${a.name}, ${size} into ${r.count}: ${f(r.wallMedian)} ms`)}</title></g>`,
      );
    }
  }
});
// Legend, one row under the panels.
let lx = margin.left;
const ly = margin.top + panelH + margin.bottom + 12;
for (const a of data.agents) {
  const style = STYLE[a.id] ?? { color: '#333', marker: 'circle' };
  svg.push(
    `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${style.color}" stroke-width="${style.width}"/>`,
  );
  svg.push(marker(style.marker, lx + 12, ly, style.color));
  svg.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(a.name)}</text>`);
  lx += 40 + a.name.length * 7;
}
svg.push('</svg>', '');
writeFileSync(output, svg.join('\n'));
console.error(`chart: ${output}`);
