import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../../package.json';
import { OPENAPI_PUBLIC } from '../auth/decorators';

export const BEARER_SCHEME = 'bearer';

/** The OpenAPI document of the whole API, built from the controllers' and DTOs' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Healthcare backend API')
    .setDescription(
      'Accounts, patients, doctors, doctor-patient assignments and appointments. ' +
        'Every operation needs a bearer access token unless it says otherwise; errors are `application/problem+json`.',
    )
    .setVersion(version)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  // `@Public()` operations: no security requirement instead of the global bearer one.
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem as Record<string, unknown>)) {
      if (typeof operation === 'object' && operation !== null && OPENAPI_PUBLIC in operation) {
        const marked = operation as Record<string, unknown>;
        marked.security = [];
        delete marked[OPENAPI_PUBLIC];
      }
    }
  }
  return document;
}

/** Swagger UI at /swagger; the document at /swagger.json, /swagger.yaml and Nest's usual /swagger-json. */
export function setUpOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  const getDocument = () => (document ??= buildOpenApiDocument(app));
  SwaggerModule.setup('swagger', app, getDocument, {
    jsonDocumentUrl: 'swagger.json',
    yamlDocumentUrl: 'swagger.yaml',
    swaggerOptions: { persistAuthorization: true },
  });
  const http = app.getHttpAdapter();
  http.get('/swagger-json', (_request: unknown, reply: unknown) => {
    http.reply(reply, getDocument(), 200);
  });
}
