import { writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

export interface ChartRow {
  label: string;
  rps: number;
  p50: number;
  p99: number;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Two horizontal bar panels, throughput and latency (p50 over p99), one row per scenario. */
export function chartSvg(title: string, rows: ChartRow[]): string {
  const rowHeight = 34;
  const top = 60;
  const labelWidth = 330;
  const panel = 300;
  const gap = 60;
  const width = labelWidth + panel * 2 + gap + 40;
  const height = top + rows.length * rowHeight + 30;
  const maxRps = Math.max(...rows.map((r) => r.rps), 1);
  const maxLatency = Math.max(...rows.map((r) => r.p99), 1);
  const x2 = labelWidth + panel + gap;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${labelWidth}" y="48" font-weight="bold">throughput, 2xx responses/s</text>`,
    `<text x="${x2}" y="48" font-weight="bold">latency, ms: <tspan fill="#4c78a8">p50</tspan> / <tspan fill="#f58518">p99</tspan></text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const rpsWidth = (row.rps / maxRps) * (panel - 60);
    const p50Width = (row.p50 / maxLatency) * (panel - 60);
    const p99Width = (row.p99 / maxLatency) * (panel - 60);
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escape(row.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${rpsWidth}" height="20" fill="#54a24b"/>`,
      `<text x="${labelWidth + rpsWidth + 4}" y="${y + 18}">${row.rps}</text>`,
      `<rect x="${x2}" y="${y + 2}" width="${p99Width}" height="12" fill="#f58518"/>`,
      `<rect x="${x2}" y="${y + 15}" width="${p50Width}" height="12" fill="#4c78a8"/>`,
      `<text x="${x2 + p99Width + 4}" y="${y + 13}">${row.p99}</text>`,
      `<text x="${x2 + p50Width + 4}" y="${y + 26}">${row.p50}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Renders the SVG to a PNG with headless Chromium (no chart library needed). */
export async function renderPng(svg: string, file: string): Promise<void> {
  const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg)!;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({
      viewport: { width: Number(width), height: Number(height) },
      deviceScaleFactor: 2,
    });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await writeFile(file, await page.screenshot({ type: 'png' }));
  } finally {
    await browser.close();
  }
}
