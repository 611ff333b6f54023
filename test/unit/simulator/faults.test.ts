import { FaultQueue, validateFaultSpec } from '../../../src/simulator/faults';

describe('FaultQueue', () => {
  it('applies a fault to the next count matching requests only', () => {
    const q = new FaultQueue();
    q.add({ status: 503, count: 2, path: '/server/devices' });
    expect(q.take('POST', '/account')).toBeUndefined();
    expect(q.take('POST', '/server/devices')?.status).toBe(503);
    expect(q.take('POST', '/server/devices')?.status).toBe(503);
    expect(q.take('POST', '/server/devices')).toBeUndefined();
  });

  it('lets `after` matching requests through first', () => {
    const q = new FaultQueue();
    q.add({ status: 429, count: 1, after: 2, path: '/profile/devices' });
    expect(q.take('POST', '/profile/devices')).toBeUndefined();
    expect(q.take('POST', '/other')).toBeUndefined(); // not matching: does not count
    expect(q.take('POST', '/profile/devices')).toBeUndefined();
    expect(q.take('POST', '/profile/devices')?.status).toBe(429);
    expect(q.take('POST', '/profile/devices')).toBeUndefined();
    expect(q.list()).toEqual([]);
  });

  it('refuses a negative or fractional after', () => {
    expect(validateFaultSpec({ status: 500, count: 1, after: -1 })).toMatch(/after/);
    expect(validateFaultSpec({ status: 500, count: 1, after: 1.5 })).toMatch(/after/);
    expect(validateFaultSpec({ status: 500, count: 1, after: 3 })).toBeNull();
  });
});
