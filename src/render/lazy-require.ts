/**
 * Loads a CommonJS package while deferring some of its dependencies until they are really used.
 *
 * Modelina's TypeScript generator imports every input processor at load time, and with them the
 * TypeScript compiler, Swagger and XSD parsers — about half of wsgen's start-up — although wsgen
 * only ever feeds it JSON Schema. Those modules are replaced, during that one `require`, by
 * proxies that load the real module on first use, so behaviour is unchanged if one is ever needed.
 */
import Module, { createRequire } from 'node:module';

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Loader };

function lazyModule(load: () => unknown): unknown {
  let real: unknown;
  const target = (): Record<PropertyKey, unknown> => (real ??= load()) as Record<PropertyKey, unknown>;
  return new Proxy(
    {},
    {
      get(_, property) {
        // Answer the interop probes TypeScript's CommonJS output makes at import time without loading.
        if (property === '__esModule') return true;
        if (property === 'default') {
          const module = target();
          return module['__esModule'] === true ? module['default'] : module;
        }
        return target()[property];
      },
      has: (_, property) => property in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, property) => Reflect.getOwnPropertyDescriptor(target(), property),
    },
  );
}

/** `require(id)` from `from`, with the listed dependencies loaded lazily. */
export function requireDeferring(from: string, id: string, deferred: readonly string[]): unknown {
  const require = createRequire(from);
  const original = moduleWithLoad._load;
  moduleWithLoad._load = function load(request, parent, isMain) {
    if (deferred.includes(request)) return lazyModule(() => original.call(Module, request, parent, isMain));
    return original.call(Module, request, parent, isMain);
  };
  try {
    return require(id);
  } finally {
    moduleWithLoad._load = original;
  }
}
