/**
 * The tables that give an object scope tags of its own. DEP tokens carry tags (profiles, devices,
 * sync runs and alerts inherit them through their token). VPP (Apps and Books) tokens belong to a
 * purchasing location, not to a DEP token, so, as in Intune, they carry tags of their own: a key
 * with scope tags sees a VPP token only when it carries one of its tags, exactly like a DEP token.
 */
export interface ScopeTagLink {
  /** The join table, e.g. `dep_token_scope_tags`. */
  table: 'dep_token_scope_tags' | 'vpp_token_scope_tags' | 'apple_business_account_scope_tags';
  /** Its column naming the tagged object, e.g. `token_id`. */
  ownerColumn: 'token_id' | 'vpp_token_id' | 'apple_business_account_id';
  /** The table's alias inside the visibility subquery (unlike any outer query's). */
  alias: 'dts' | 'vts' | 'bats';
}

export const DEP_TOKEN_TAGS: ScopeTagLink = { table: 'dep_token_scope_tags', ownerColumn: 'token_id', alias: 'dts' };
export const VPP_TOKEN_TAGS: ScopeTagLink = { table: 'vpp_token_scope_tags', ownerColumn: 'vpp_token_id', alias: 'vts' };
/** Apple Business API accounts see the whole organisation, so they carry tags of their own too. */
export const APPLE_BUSINESS_ACCOUNT_TAGS: ScopeTagLink = {
  table: 'apple_business_account_scope_tags',
  ownerColumn: 'apple_business_account_id',
  alias: 'bats',
};
