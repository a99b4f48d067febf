import { pipelineWorkflowId } from '../../src/client';

describe('deterministic workflow ids', () => {
  it('uses the request id when given', () => {
    expect(pipelineWorkflowId('mnist', { requestId: 'nightly-2026-11-23' })).toBe('mnist-nightly-2026-11-23');
  });
  it('maps the same input to the same id whatever the key order', () => {
    const a = pipelineWorkflowId('power', { input: { params: { numLeaves: 15, learningRate: 0.1 }, window: { start: 'a', end: 'b' } } });
    const b = pipelineWorkflowId('power', { input: { window: { end: 'b', start: 'a' }, params: { learningRate: 0.1, numLeaves: 15 } } });
    expect(a).toBe(b);
    expect(pipelineWorkflowId('power', { input: { params: { numLeaves: 16 } } })).not.toBe(a);
  });
});
