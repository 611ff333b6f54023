import 'reflect-metadata';
import { AccessScope } from '../../src/auth/access-scope';
import { loadersForEvent } from '../../src/graphql/event-loaders';
import type { Services } from '../../src/services';

describe('loadersForEvent', () => {
  const services = {} as Services;
  const all = new AccessScope({ scopeTagIds: [] });
  const tagged = (...ids: string[]) => new AccessScope({ scopeTagIds: ids });

  it('shares one set of loaders between subscribers of one event with the same scope', () => {
    const event = { runId: 'r1' };
    expect(loadersForEvent(event, services, all)).toBe(loadersForEvent(event, services, new AccessScope({ scopeTagIds: [] })));
    expect(loadersForEvent(event, services, tagged('a', 'b'))).toBe(loadersForEvent(event, services, tagged('b', 'a')));
  });

  it('never shares between scopes, nor between events (nothing cached at an earlier event)', () => {
    const event = { runId: 'r1' };
    expect(loadersForEvent(event, services, tagged('a'))).not.toBe(loadersForEvent(event, services, tagged('b')));
    expect(loadersForEvent(event, services, tagged('a'))).not.toBe(loadersForEvent(event, services, all));
    expect(loadersForEvent(event, services, all)).not.toBe(loadersForEvent({ runId: 'r1' }, services, all));
  });
});
