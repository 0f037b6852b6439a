// Time-series charts of the Web UI, drawn by uPlot (npm, copied into lib/uplot by the build). The server sends what
// to draw; this file only maps it onto uPlot: series, the baseline band, the forecast, anomalies as shaded spans.
window.aidevopsCharts = (() => {
  const charts = new Map();
  // Colour-blind-safe (Okabe-Ito), each at least 3:1 against white.
  const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8C6D00', '#56B4E9', '#000000', '#E69F00'];
  const markFill = 'rgba(213, 94, 0, 0.16)';
  const markEdge = '#B34700';

  function drawMarks(marks) {
    return u => {
      if (!marks || !marks.length) return;
      const { ctx } = u;
      const { top, height, left, width } = u.bbox;
      ctx.save();
      for (const mark of marks) {
        const from = Math.max(left, u.valToPos(mark.from, 'x', true));
        const to = Math.min(left + width, u.valToPos(mark.to ?? u.scales.x.max, 'x', true));
        if (to < left || from > left + width) continue;
        ctx.fillStyle = markFill;
        ctx.fillRect(from, top, Math.max(2, to - from), height);
        ctx.fillStyle = markEdge;
        ctx.fillRect(from, top, 2, height);
      }
      ctx.restore();
    };
  }

  // The values arrive as one block of 32-bit floats (see ChartWire), a column per series, NaN where a point is missing.
  function columns(chart) {
    const bytes = chart.columns.slice(); // its own buffer, aligned for the float view
    const floats = new Float32Array(bytes.buffer, 0, bytes.length / 4);
    const result = [];
    for (let c = 0; c * chart.points < floats.length; c++) {
      const column = new Array(chart.points);
      for (let i = 0, at = c * chart.points; i < chart.points; i++, at++) {
        const value = floats[at];
        column[i] = Number.isNaN(value) ? null : value;
      }
      result.push(column);
    }
    return result;
  }

  function render(element, chart) {
    const started = performance.now();
    dispose(element);
    const times = Array.from({ length: chart.points }, (_, i) => chart.start + i * chart.step);
    const values = columns(chart);
    const data = [times];
    const series = [{}];
    chart.labels.forEach((label, i) => {
      data.push(values[i]);
      series.push({
        label, stroke: palette[i % palette.length], width: 1.5, points: { show: false },
        paths: chart.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
      });
    });
    const bands = [];
    const pad = (values, extra) => values.concat(new Array(extra).fill(null));
    const addBand = (label, high, low, stroke, fill, dash) => {
      const at = data.length;
      data.push(high, low);
      series.push({ label: label + ' (high)', stroke, width: 1, dash, points: { show: false } });
      series.push({ label: label + ' (low)', stroke, width: 1, dash, points: { show: false } });
      bands.push({ series: [at, at + 1], fill });
    };
    if (chart.hasBand) addBand('baseline', values[chart.labels.length + 1], values[chart.labels.length], 'rgba(0, 114, 178, 0.45)', 'rgba(0, 114, 178, 0.10)');
    if (chart.forecast) {
      // The forecast reaches past the data: one more x, empty for every measured series.
      const f = chart.forecast;
      times.push(f.at);
      for (let i = 1; i < data.length; i++) data[i].push(null);
      const n = times.length;
      const line = new Array(n).fill(null);
      line[n - 2] = f.from; line[n - 1] = f.expected;
      const high = new Array(n).fill(null); high[n - 2] = f.from; high[n - 1] = f.high;
      const low = new Array(n).fill(null); low[n - 2] = f.from; low[n - 1] = f.low;
      data.push(line);
      series.push({ label: 'forecast', stroke: '#444444', width: 1.5, dash: [6, 4], points: { show: true, size: 5 } });
      addBand('forecast', high, low, 'rgba(68, 68, 68, 0.4)', 'rgba(68, 68, 68, 0.10)', [2, 3]);
    }
    for (let i = 1; i < data.length; i++) if (data[i].length < times.length) data[i] = pad(data[i], times.length - data[i].length);

    const options = {
      width: Math.max(280, element.clientWidth),
      height: chart.height || 320,
      series,
      bands,
      scales: { x: { time: true } },
      axes: [{ stroke: '#333333' }, { stroke: '#333333', size: 64 }],
      legend: { show: chart.labels.length <= 12 },
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [drawMarks(chart.marks)] },
    };
    const plot = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(280, element.clientWidth), height: options.height }));
    observer.observe(element);
    charts.set(element, { plot, observer });
    // What the browser test reads: how long drawing took here, and that a drawing is done.
    element.dataset.renderMs = (performance.now() - started).toFixed(1);
    element.dataset.rendered = String(Number(element.dataset.rendered || 0) + 1);
  }

  function resetZoom(element) {
    const chart = charts.get(element);
    if (!chart) return;
    const x = chart.plot.data[0];
    chart.plot.setScale('x', { min: x[0], max: x[x.length - 1] });
  }

  function dispose(element) {
    const chart = charts.get(element);
    if (!chart) return;
    chart.observer.disconnect();
    chart.plot.destroy();
    charts.delete(element);
  }

  return { render, resetZoom, dispose };
})();
