// Opens OHIF (served by viewer/serve.js) on a study in headless Chromium, loads the SEG display set of one series
// into the viewport the way a double-click on its thumbnail does, waits until OHIF's segmentation service holds
// the segmentation and the viewport shows it, saves a screenshot and prints what OHIF loaded as JSON:
//   { "segmentations": [{ "id", "label", "segments": [{ "index", "label" }] }], "representations": n, ... }
//
//   node ohif-seg.mjs <viewerUrl> <StudyInstanceUID> <SEG SeriesInstanceUID> <screenshot.png> [timeoutSeconds]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [viewerUrl, studyUid, segSeriesUid, screenshot, timeoutArg] = process.argv.slice(2);
if (!screenshot) {
  console.error('usage: node ohif-seg.mjs <viewerUrl> <StudyInstanceUID> <SEG SeriesInstanceUID> <screenshot.png> [timeoutSeconds]');
  process.exit(2);
}
const timeout = Number(timeoutArg ?? 120) * 1000;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.error(`Chromium is missing at ${executablePath} (apt-get install chromium)`);
  process.exit(3);
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zsad-chromium-'));
const log = [];
let context;
const started = Date.now();
const left = () => Math.max(1000, timeout - (Date.now() - started));
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    // No sandbox: tests run as root in a namespace; nothing but loopback may be contacted.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.push(`${m.type()}: ${m.text()}`.slice(0, 400)); });
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`.slice(0, 400)));
  page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`.slice(0, 400)));

  await page.goto(new URL(`viewer?StudyInstanceUIDs=${encodeURIComponent(studyUid)}`, viewerUrl).href, { timeout: left() });

  // OHIF publishes its services on window; wait for the SEG display set and a rendered source viewport.
  await page.waitForFunction((seg) => {
    try {
      const s = window.services;
      if (!s?.displaySetService || !s.viewportGridService || !s.cornerstoneViewportService) return false;
      const ds = s.displaySetService.getActiveDisplaySets().find((d) => d.Modality === 'SEG' && d.SeriesInstanceUID === seg);
      const viewportId = s.viewportGridService.getActiveViewportId();
      const viewport = viewportId && s.cornerstoneViewportService.getCornerstoneViewport(viewportId);
      return Boolean(ds && viewport && viewport.getCurrentImageId?.());
    } catch {
      return false; // services exist before the viewer mode has given them their implementations
    }
  }, segSeriesUid, { timeout: left(), polling: 250 });

  const viewportId = await page.evaluate((seg) => {
    const s = window.services;
    const ds = s.displaySetService.getActiveDisplaySets().find((d) => d.Modality === 'SEG' && d.SeriesInstanceUID === seg);
    const viewportId = s.viewportGridService.getActiveViewportId();
    // What a double-click on the SEG thumbnail does: the SEG goes into the viewport, over its referenced series.
    s.viewportGridService.setDisplaySetsForViewport({ viewportId, displaySetInstanceUIDs: [ds.displaySetInstanceUID] });
    return viewportId;
  }, segSeriesUid);

  await page.waitForFunction((vp) => {
    const s = window.services;
    const loaded = s.segmentationService.getSegmentations().length > 0;
    const shown = (s.segmentationService.getSegmentationRepresentations?.(vp) ?? []).length > 0;
    return loaded && shown;
  }, viewportId, { timeout: left(), polling: 250 });

  // Let the labelmap render before the screenshot: two animation frames after the segmentation is in place.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(1500);
  const state = await page.evaluate((vp) => {
    const s = window.services;
    const segmentations = s.segmentationService.getSegmentations().map((g) => ({
      id: g.segmentationId,
      label: g.label,
      segments: Object.values(g.segments ?? {}).filter(Boolean).map((x) => ({ index: x.segmentIndex, label: x.label })),
    }));
    const representations = (s.segmentationService.getSegmentationRepresentations?.(vp) ?? []).map((r) => ({ id: r.segmentationId, type: r.type, visible: r.visible }));
    const viewport = s.cornerstoneViewportService.getCornerstoneViewport(vp);
    return { segmentations, representations, viewportType: viewport?.type, imageId: viewport?.getCurrentImageId?.() ?? null };
  }, viewportId);
  fs.mkdirSync(path.dirname(path.resolve(screenshot)), { recursive: true });
  await page.screenshot({ path: screenshot });
  process.stdout.write(JSON.stringify({ ...state, seconds: (Date.now() - started) / 1000, log: log.slice(-40) }));
} catch (e) {
  try {
    const page = context?.pages()[0];
    if (page) await page.screenshot({ path: screenshot });
  } catch { /* the failure below is what matters */ }
  console.error(`${e.message}\n--- browser log ---\n${log.slice(-60).join('\n')}`);
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
