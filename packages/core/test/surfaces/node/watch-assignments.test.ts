import { watchAssignments } from '@aap-guard/core/node';
import { describe, expect, it } from 'vitest';

// How adapters see a framework announce a step by an assignment (Koa's `ctx.router = router`, Express's
// `req.route = route`) on per-request objects made from one prototype.

describe('watchAssignments', () => {
  it('calls the hook on each assignment to an object made from the prototype, with the new and the previous value', () => {
    const proto = {};
    const seen: unknown[] = [];
    watchAssignments(proto, 'router', (target, value, previous) => seen.push([target, value, previous]));
    const ctx = Object.create(proto) as { router?: string };
    ctx.router = 'a';
    ctx.router = 'a';
    expect(ctx.router).toBe('a');
    expect(seen).toEqual([
      [ctx, 'a', undefined],
      [ctx, 'a', 'a'],
    ]);
    expect(Object.keys(ctx)).toEqual([]); // kept behind the accessor, not as an own property
  });

  it('stops the assigning code when the hook throws; the value is stored first', () => {
    const proto = {};
    watchAssignments(proto, 'route', (_target, value) => {
      if (value === 'refused') throw new Error('refused');
    });
    const req = Object.create(proto) as { route?: string };
    expect(() => (req.route = 'refused')).toThrow('refused');
    expect(req.route).toBe('refused');
  });

  it('installs one accessor per prototype and property; every hook runs, each once; an accessor already there is kept', () => {
    const proto = {};
    const calls: string[] = [];
    let kept: unknown;
    Object.defineProperty(proto, 'router', {
      configurable: true,
      get: () => kept,
      set: (value) => void (calls.push('before'), (kept = value)),
    });
    const first = () => void calls.push('first');
    watchAssignments(proto, 'router', first);
    watchAssignments(proto, 'router', first);
    watchAssignments(proto, 'router', () => void calls.push('second'));
    const ctx = Object.create(proto) as { router?: string };
    ctx.router = 'r';
    expect(calls).toEqual(['before', 'first', 'second']);
    expect(ctx.router).toBe('r');
  });

  it('adopts an object that got its own property before the watch: its value kept, later assignments watched', () => {
    const proto = {};
    const ctx = Object.create(proto) as { router?: string };
    ctx.router = 'early'; // an own data property: the accessor would never see assignments to it
    const seen: unknown[] = [];
    watchAssignments(proto, 'router', (_target, value) => seen.push(value)).adopt(ctx);
    expect(ctx.router).toBe('early');
    ctx.router = 'late';
    expect([seen, ctx.router]).toEqual([['late'], 'late']);
  });
});
