import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';

/**
 * Every (method, path) the controllers declare, read from Nest's own routing metadata; the path
 * in OpenAPI form (`/runs/{id}`), the method upper case as Nest names it (`GET`).
 */
export function declaredRoutes(controllers: Type<unknown>[]): { method: string; template: string }[] {
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype)
      .filter((name) => name !== 'constructor' && Reflect.getMetadata(METHOD_METADATA, prototype[name] as object) !== undefined)
      .map((name) => {
        const handler = prototype[name] as object;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const template = `/${[base, sub].filter((part) => part && part !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
        return { method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number], template };
      });
  });
}
