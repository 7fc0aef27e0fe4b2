// Drives the dashboard in headless Chromium: connect with an API key, see the agents, start a
// run, watch its steps turn COMPLETED over SSE, follow the trace link. Leaves screenshots.
// Usage: node dashboard.mjs <gateway-url> <api-key> <artifact-dir> <expected-trace-id>
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [url, key, artifacts, traceId] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(e.message));
page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });

function step(name) {
  console.log(`dashboard.mjs: ${name}`);
}

try {
  step('open');
  await page.goto(url);
  await page.getByTestId('api-key').fill(key);
  await page.getByTestId('login').click();
  await page.locator('[data-testid=status].live').waitFor();

  step('agents listed');
  await page.locator('[data-testid=agents] tr[data-instance="i-1"]').waitFor();

  step('start a run');
  await page.getByTestId('workflow').selectOption('summarize');
  await page.getByTestId('input').fill('{"text": "hello mesh"}');
  await page.getByTestId('start-run').click();
  await page.locator('[data-testid=run-id]').filter({ hasText: /run-/ }).waitFor();

  step('steps turn COMPLETED');
  await page.locator('[data-testid=steps] tr[data-step="fetch"][data-state="COMPLETED"]')
    .waitFor({ timeout: 30000 });
  await page.locator('[data-testid=steps] tr[data-step="summarize"][data-state="COMPLETED"]')
    .waitFor({ timeout: 30000 });
  await page.locator('[data-testid=run-state].COMPLETED').waitFor({ timeout: 30000 });
  await page.locator('[data-testid=runs] tr .run-state .COMPLETED').first().waitFor();
  await page.screenshot({ path: `${artifacts}/dashboard.png`, fullPage: true });

  step('follow the trace link');
  const [trace] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByTestId('run-trace').click(),
  ]);
  await trace.waitForLoadState();
  if (!trace.url().endsWith(`/trace/${traceId}`)) {
    throw new Error(`trace link went to ${trace.url()}`);
  }
  await trace.getByText(traceId).waitFor();
  await trace.screenshot({ path: `${artifacts}/trace.png` });

  if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
  step('ok');
} catch (e) {
  await page.screenshot({ path: `${artifacts}/failure.png`, fullPage: true }).catch(() => {});
  console.error(`dashboard.mjs: FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
