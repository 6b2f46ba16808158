import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';

import { describe, expect, it } from 'vitest';

import { patchAsyncResourceBind } from './async-resource.patch';

describe('AsyncResource.prototype.bind without the deprecation wrappers', () => {
  patchAsyncResourceBind();

  it('runs the function in the resource’s async context, with the caller’s this and arguments', async () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request-1', () => {
      const resource = new AsyncResource('test');
      return resource.bind(function (this: unknown, a: number, b: number) {
        return { store: storage.getStore(), self: this, sum: a + b, id: executionAsyncId() };
      });
    });
    const self = { name: 'caller' };
    const result = await storage.run('request-2', async () => bound.call(self, 2, 3));
    expect(result.store).toBe('request-1');
    expect(result.self).toBe(self);
    expect(result.sum).toBe(5);
    expect(bound.length).toBe(2);
  });

  it('binds this when given, keeps asyncResource, and checks its argument', () => {
    const resource = new AsyncResource('test');
    const target = { n: 7 };
    // Node takes a thisArg that @types/node does not declare
    const bindTo = resource.bind.bind(resource) as unknown as (fn: (this: { n: number }) => number, thisArg: object) => () => number;
    const bound = bindTo(function (this: { n: number }) {
      return this.n;
    }, target);
    expect(bound()).toBe(7);
    expect((bound as unknown as { asyncResource: AsyncResource }).asyncResource).toBe(resource);
    expect(() => resource.bind(42 as unknown as () => void)).toThrow(TypeError);
    expect(AsyncResource.bind((x: number) => x + 1)(1)).toBe(2);
  });

  it('names the resource by a value, not a getter made per call (which would keep each request until a full collection)', () => {
    const first = new AsyncResource('a').bind(() => 1);
    const second = new AsyncResource('b').bind(() => 2);
    for (const bound of [first, second]) {
      const descriptor = Object.getOwnPropertyDescriptor(bound, 'asyncResource');
      expect(descriptor).toMatchObject({ enumerable: true, configurable: true, writable: true });
      expect(descriptor?.get).toBeUndefined();
      expect(descriptor?.value).toBeInstanceOf(AsyncResource);
    }
  });
});
