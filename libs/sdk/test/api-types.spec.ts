import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSdkApiTypes, SDK_API_TYPES_DIR } from '../scripts/api-types';

describe('SDK API types', () => {
  it("are current with the ingest and query apps' OpenAPI documents (else run npm run sdk:api-types)", async () => {
    const generated = await generateSdkApiTypes();
    expect([...generated.keys()].sort()).toEqual(['ingest.d.ts', 'query.d.ts']);
    for (const [file, text] of generated) {
      expect(text).toContain('paths');
      expect({ file, current: readFileSync(join(SDK_API_TYPES_DIR, file), 'utf8') === text }).toEqual({ file, current: true });
    }
  });
});
