/**
 * The Temporal Web UI as people watch runs: headless Chromium opens the dev server's UI page of a running
 * training and of a finished one, and the run's summary, details and live current details are on the page.
 * Screenshots are kept under .local/test-artifacts/temporal-ui/ (git-ignored).
 */
import path from 'node:path';
import { workflowMetadataQuery } from '@temporalio/workflow';
import type { WorkflowHandle } from '@temporalio/client';
import { PROJECT_ROOT } from '../../src/config';
import { WORKFLOW_TYPE, type PipelineResult } from '../../src/client';
import { describeRun } from '../../src/workflows/shared/describe';
import { parsePipelineInput } from '../../src/workflows/shared/input-schema';
import { eventually, usePipelineStack } from '../helpers/stack';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, openUntil, screenshot } from '../helpers/browser';
import { activitiesIn } from '../helpers/history';

const ARTIFACTS = path.join(PROJECT_ROOT, '.local', 'test-artifacts', 'temporal-ui');
const SUMMARY = 'user-metadata-summary';
const DETAILS = 'user-metadata-details';
const CURRENT = 'user-metadata-current-details';

describe('Temporal Web UI', () => {
  const stack = usePipelineStack();
  let browser: Browser;
  let page: Page;
  // Without Chromium this fails with install instructions rather than skipping.
  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(() => browser?.close());

  const pageOf = async (handle: WorkflowHandle) => {
    const { runId } = (await handle.describe()) as { runId: string };
    return `${stack.config.temporalUiUrl}/namespaces/${stack.config.temporal.namespace}/workflows/${encodeURIComponent(handle.workflowId)}/${runId}/user-metadata`;
  };
  /** The rendered Markdown, as plain lines: the UI typesets '/' in "2/4" as a fraction slash. */
  const plain = (text: string) => text.replace(/\u2044/g, '/').split('\n').map((l) => l.trim()).filter(Boolean);
  const show = async (url: string, ready: (current: string[]) => boolean) => {
    const frames = await openUntil(page, url, [SUMMARY, DETAILS, CURRENT], (f) => ready(plain(f[CURRENT])));
    return { summary: plain(frames[SUMMARY]), details: plain(frames[DETAILS]), current: plain(frames[CURRENT]) };
  };

  it('a running training shows its summary and live epoch, losses, speed and MLflow link', async () => {
    const input = { source: { kind: 'synthetic' as const, size: 'tiny' as const }, params: { epochs: 400 } };
    const handle = await stack.client.start('mnist', { requestId: `ui-running-${stack.config.taskQueues.cpu}`, input });
    try {
      await eventually(async () => ((await stack.client.progress(handle.workflowId)).training?.epoch ?? 0) >= 2, 150_000, 500);
      const url = await pageOf(handle);
      const { summary, details, current } = await show(url, (lines) => /^train \(stage 2\/4\) · epoch \d+\/400$/.test(lines[0] ?? ''));
      const expected = describeRun('mnist', parsePipelineInput('mnist', { ...input, taskQueues: stack.config.taskQueues }));
      expect(summary).toEqual([expected.summary]);
      expect(expected.summary).toBe('MNIST CNN · synthetic tiny · 400 epochs');
      // The Markdown as rendered: bold and code marks gone, one line per paragraph.
      expect(details).toEqual(expected.details.replace(/\*\*|`/g, '').split('\n\n'));
      expect(current[1]).toMatch(/^Latest train_loss [\d.e-]+ · val_loss [\d.e-]+ · /);
      expect(current[2]).toMatch(/^Speed [\d.]+ samples\/s · ETA [\dms.]+ · backend \w+ · as of \d\d:\d\d:\d\d UTC$/);
      const { mlflowRunId } = await stack.client.progress(handle.workflowId);
      expect(current[3]).toBe(`MLflow run ${mlflowRunId}`);
      const link = await page.$eval(`iframe#${CURRENT}`, (el) => (el as unknown as { src: string }).src);
      expect(new URL(link).searchParams.get('content')).toContain(`(${stack.config.mlflow.trackingUri}/#/experiments/`);
      await screenshot(page, path.join(ARTIFACTS, 'running.png'));
    } finally {
      await handle.cancel();
      await handle.result().catch(() => undefined);
    }
  });

  it('a finished training shows the registration outcome; its activities carry stage summaries', async () => {
    const input = { source: { kind: 'synthetic' as const, size: 'tiny' as const }, params: { numBoostRound: 40 } };
    const handle = await stack.client.start('power', { requestId: `ui-finished-${stack.config.taskQueues.cpu}`, input });
    const result = (await handle.result()) as PipelineResult;
    const url = await pageOf(handle);
    const { summary, current } = await show(url, (lines) => (lines[0] ?? '').startsWith('✅ done'));
    expect(summary).toEqual(['Power LightGBM · synthetic tiny · 40 rounds']);
    const reg = result.registration;
    expect(current[0]).toBe(reg.registered ? `✅ done · registered ${reg.modelName} v${reg.version}${reg.champion ? ', new champion' : ', champion unchanged'}` : `✅ done · not registered (${reg.modelName})`);
    // The UI's Markdown renders straight apostrophes typographically (v1's → v1’s).
    expect(current.map((l) => l.replace(/\u2019/g, "'"))).toContain(`Registry ${reg.reason}`);
    expect(current.find((l) => l.startsWith('Test '))).toContain(`test_rmse ${Number(result.metrics.test_rmse.toPrecision(4))}`);
    await screenshot(page, path.join(ARTIFACTS, 'finished.png'));

    // Local activities (the MLflow run's start and finish) carry their summary on their marker events.
    const summaries = activitiesIn((await handle.fetchHistory()).events ?? []).map((a) => a.summary);
    expect(summaries).toEqual([
      'open the MLflow run',
      'prepare Power (synthetic tiny)',
      `train LightGBM on ${stack.config.taskQueues.cpu}, 40 rounds`,
      'evaluate LightGBM on the test set',
      'register power-consumption-model if test rmse < 0.75',
      // Promotion goes through the model's champion workflow (serialised across worker processes).
      'ask champion-power-consumption-model to promote this version if it beats the champion',
      'close the MLflow run',
    ]);
  });

  it('a failed run says why in plain words in its current details', async () => {
    // Past the client's checks, as another service or the stock CLI could start it: the workflow refuses it.
    const handle = await stack.client.client.workflow.start(WORKFLOW_TYPE.power, {
      workflowId: `ui-failed-${stack.config.taskQueues.cpu}`,
      taskQueue: stack.config.taskQueues.cpu,
      args: [{ params: { numBoostRound: -1 } }],
    });
    await expect(handle.result()).rejects.toThrow();
    const { currentDetails } = await handle.query(workflowMetadataQuery);
    expect(currentDetails).toMatch(/^### ❌ failed: invalid workflow input\n\n\*\*Root cause\*\* invalid power input: params\.numBoostRound: .*1/);
  });
});
