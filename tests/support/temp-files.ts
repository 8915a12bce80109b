import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary files for catalogs, deploy logs and kubeconfigs; removed when the test process exits. */

const dirs: string[] = [];
process.once('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lzo-test-'));
  dirs.push(dir);
  return dir;
}

export async function writeTempFile(name: string, content: string | Buffer): Promise<string> {
  const file = join(tempDir(), name);
  await writeFile(file, content);
  return file;
}
