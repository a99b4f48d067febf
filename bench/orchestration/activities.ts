/** No-op stage activities passing a small reference along, as the real stages do. */
export async function prepare(ref: string): Promise<string> {
  return `${ref}/prepared`;
}
export async function train(ref: string): Promise<string> {
  return `${ref}/model`;
}
export async function evaluate(ref: string): Promise<string> {
  return `${ref}/metrics`;
}
export async function register(ref: string): Promise<string> {
  return `${ref}/v1`;
}
