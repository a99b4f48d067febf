/** The main job's live display: one line per pipeline, redrawn in place on a terminal, plain lines in logs. */
import { ProgressBoard } from '../../src/cli/watch';

const lines = (mnist: string, power: string) => [
  { label: 'mnist', stage: mnist, text: `${mnist} epoch 1/8` },
  { label: 'power', stage: power, text: power },
];

describe('ProgressBoard', () => {
  it('on a terminal redraws the whole block in place: cursor up over the lines drawn before', () => {
    const board = new ProgressBoard(true, 15_000, 20);
    expect(board.render(lines('train', 'prepare'), 0)).toBe('\r' + 'mnist  train epoch 1/8'.slice(0, 19) + '\x1b[K\n\rpower  prepare\x1b[K\n');
    expect(board.render(lines('train', 'train'), 1000)).toMatch(/^\x1b\[2A\rmnist {2}train epoch \x1b\[K\n\rpower {2}train\x1b\[K\n$/);
  });

  it('in logs prints every line at first and every interval, and a line whenever its stage changes', () => {
    const board = new ProgressBoard(false, 15_000);
    expect(board.render(lines('prepare', 'prepare'), 0)).toBe('mnist  prepare epoch 1/8\npower  prepare\n');
    expect(board.render(lines('prepare', 'prepare'), 5_000)).toBe('');
    expect(board.render(lines('prepare', 'train'), 6_000)).toBe('power  train\n');
    expect(board.render(lines('prepare', 'train'), 14_999)).toBe('');
    expect(board.render(lines('train', 'train'), 15_000)).toBe('mnist  train epoch 1/8\npower  train\n');
    // A closed run's last line is printed once, not every interval.
    const closed = [{ label: 'power', stage: 'done', text: 'done test_rmse=0.5', final: true }];
    expect(board.render(closed, 16_000)).toBe('power  done test_rmse=0.5\n');
    expect(board.render(closed, 31_000)).toBe('');
  });
});
