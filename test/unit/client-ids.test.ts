import { InvalidInputError, pipelineWorkflowId } from '../../src/client';
import { main } from '../../src/cli';

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

  it.each([
    ['5,000 characters', 'r'.repeat(5000), 'got one 5000 characters long'],
    ['a space', 'nightly run', "got one 'nightly run'"],
    ['empty', '', "got one ''"],
  ])('refuses a request id of %s with a usage message, not an unexpected error', (_label, requestId, detail) => {
    expect(() => pipelineWorkflowId('power', { requestId })).toThrow(InvalidInputError);
    expect(() => pipelineWorkflowId('power', { requestId })).toThrow(`request id must be 1 to 200 printable characters without spaces (letters, digits, punctuation); ${detail}`);
  });
});

describe('CLI request id', () => {
  it('a 5,000-character --request-id is a usage error (exit 2) before any connection', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    try {
      const code = await main(['node', 'durable-ml', 'start', 'power', '--no-wait', '--request-id', 'r'.repeat(5000)]);
      expect(code).toBe(2);
      expect(errors.join('\n')).toContain('error: request id must be 1 to 200 printable characters without spaces');
      expect(errors.join('\n')).not.toContain('unexpected error');
    } finally {
      spy.mockRestore();
    }
  });
});
