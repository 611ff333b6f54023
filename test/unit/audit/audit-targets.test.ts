import { inputTargetIds, MAX_TARGET_IDS, payloadTargetIds } from '../../../src/audit/audit-targets';
import { toGlobalId } from '../../../src/graphql/global-id';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const token = toGlobalId('DepToken', uuid(1));
const tag = toGlobalId('ScopeTag', uuid(2));
const profile = toGlobalId('EnrollmentProfile', uuid(3));

describe('inputTargetIds', () => {
  it('takes global ids from *Id / *Ids fields at any depth, and nothing else', () => {
    const args = {
      input: {
        tokenId: token,
        scopeTagIds: [tag, 'not-an-id'],
        tokenFile: token, // a global id where a file belongs is still not an id field
        appleId: 'admin@example.com',
        settings: { companyPortalVppTokenId: profile, secret: 'dg_secret' },
      },
    };
    expect(inputTargetIds(args).sort()).toEqual([token, tag, profile].sort());
  });

  it('never takes a value that is not a global id, even from an id field', () => {
    expect(inputTargetIds({ input: { tokenId: 'dg_0123456789abcdef', apiKeyId: '', deviceIds: [42, null] } })).toEqual([]);
  });

  it('keeps at most MAX_TARGET_IDS', () => {
    const ids = Array.from({ length: MAX_TARGET_IDS + 50 }, (_, i) => toGlobalId('Device', uuid(i)));
    expect(inputTargetIds({ input: { deviceIds: ids } })).toHaveLength(MAX_TARGET_IDS);
  });
});

describe('payloadTargetIds', () => {
  it('takes the ids of the objects directly under the payload and its *Id fields, not deeper ones or other fields', () => {
    const payload = {
      token: { id: token, scopeTags: [{ id: tag }] },
      results: [{ id: profile }, { serialNumber: 'C02XK1ABJG5H' }],
      deletedScopeTagId: tag,
      secret: toGlobalId('ApiKey', uuid(9)),
    };
    expect(payloadTargetIds(payload).sort()).toEqual([token, profile, tag].sort());
    expect(payloadTargetIds(null)).toEqual([]);
  });
});
