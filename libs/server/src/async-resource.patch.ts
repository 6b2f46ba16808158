import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource.prototype.bind` gives every bound function an `asyncResource`
 * accessor wrapped twice in `util.deprecate` (DEP0172), and building those wrappers is the
 * expensive part: ≈10 µs a call where the rest of `bind` takes under 1 µs. Fastify binds one
 * function per request that has a body (its content-type parser's `done`), so the platform paid
 * it on every prediction: 3 % of a serving process's CPU under load (`deprecate` and `bind` in a
 * `--cpu-prof` profile of the serving bench).
 *
 * The replacement does what Node's does — runs `fn` in the resource's async scope, with the
 * caller's `this` unless `thisArg` is given, `length` as `fn`'s, an `asyncResource` property
 * naming the resource (setting it does not change the scope `fn` runs in, as in Node) — without
 * the deprecation wrappers, so reading that property no longer prints DEP0172's warning.
 *
 * `asyncResource` is a plain value, not an accessor: a getter made per call gives every bound
 * function a hidden class of its own, which V8 keeps, and with it the getter's closure and the
 * request it reaches, until the next full collection. Under load that kept every request's
 * objects through the young generation's collections (Node's own `bind` defines the same kind
 * of accessor, its getter and setter made per call by `util.deprecate`): ≈ 4.7 KB promoted a
 * request in a bare Fastify server with an accessor, 1.2 KB with a value (`--trace-gc-nvp`,
 * 1,000 req/s). Installed once per process, when this module is first imported.
 */

type Fn = (...args: unknown[]) => unknown;
type Bind = (this: AsyncResource, fn: Fn, thisArg?: unknown) => Fn;

const PATCHED = Symbol.for('atelier:async-resource-bind');

export function patchAsyncResourceBind(): void {
  const proto = AsyncResource.prototype as unknown as { bind: Bind; [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto.bind = function (this: AsyncResource, fn, thisArg) {
    if (typeof fn !== 'function') throw new TypeError(`The "fn" argument must be of type function. Received ${typeof fn}`);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the resource the bound function runs in, as Node's own bind keeps it
    const resource: AsyncResource = this;
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
    Object.defineProperties(bound, {
      length: { configurable: true, enumerable: false, value: fn.length, writable: false },
      asyncResource: { configurable: true, enumerable: true, value: resource, writable: true },
    });
    return bound;
  };
  proto[PATCHED] = true;
}

patchAsyncResourceBind();
