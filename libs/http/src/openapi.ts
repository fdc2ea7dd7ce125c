import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document, generated from the controllers and their DTOs, served at
 * GET /docs-json (and /docs-yaml). Public, like /health.
 */
export function setupOpenApi(app: INestApplication, title: string, description: string): OpenAPIObject {
  const config = new DocumentBuilder().setTitle(title).setDescription(description).setVersion('1').addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API token (rst_...)' }).addSecurityRequirements('bearer').build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { ui: false, raw: ['json', 'yaml'], jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  return document;
}
