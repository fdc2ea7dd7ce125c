import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document, generated from the controllers and their DTOs, served at
 * GET /docs-json (and /docs-yaml), and Swagger UI for people at GET /docs (its assets through
 * @fastify/static). Public, like /health: the UI asks for a token before "Try it out".
 */
export function setupOpenApi(app: INestApplication, title: string, description: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API token (rst_...)' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    raw: ['json', 'yaml'],
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: title,
  });
  return document;
}

/** @ApiProperty options of the nullable fields the answers share: an RFC 3339 time, a number. */
export const NULLABLE_TIME = { type: String, format: 'date-time', nullable: true } as const;
export const NULLABLE_NUMBER = { type: Number, nullable: true } as const;
