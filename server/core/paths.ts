/**
 * Files shipped beside the program (openapi/, seeds/) are found from the package root, which is
 * two levels up from server/core/ when run from source and three when run from dist/server/core/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const packageRoot: string = [path.resolve(here, '../..'), path.resolve(here, '../../..')].find((dir) =>
  existsSync(path.join(dir, 'package.json')),
) ?? path.resolve(here, '../..');

export const projectFile = (...parts: string[]) => path.join(packageRoot, ...parts);
