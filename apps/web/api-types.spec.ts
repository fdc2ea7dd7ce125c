import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TYPES_DIR, generateApiTypes } from '../../scripts/web-api-types';

describe('web app API types', () => {
  it("are current with the query and control apps' OpenAPI documents (else run npm run web:api-types)", async () => {
    const generated = await generateApiTypes();
    expect([...generated.keys()].sort()).toEqual(['control.d.ts', 'query.d.ts']);
    for (const [file, text] of generated) {
      expect(text).toContain('paths');
      expect({ file, current: readFileSync(join(API_TYPES_DIR, file), 'utf8') === text }).toEqual({ file, current: true });
    }
  });
});
