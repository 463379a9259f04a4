// A user's typed code, checked with `tsc --strict` against the installed package's declarations.
import { Client, NotFoundError } from 'qoder-cloud';
import { startEmulator } from 'qoder-cloud/testing';

export async function main(): Promise<string> {
  const emulator = await startEmulator({ turnDelayMs: 0 });
  const client: Client = emulator.client({ maxRetries: 0 });
  try {
    const agent = await client.agents.create({ name: 'typed', model: 'auto' });
    const name: string = agent.name;
    for await (const a of client.agents.list()) console.log(a.id);
    return name;
  } catch (e) {
    if (e instanceof NotFoundError) return 'missing';
    throw e;
  } finally {
    client.close();
    await emulator.close();
  }
}
