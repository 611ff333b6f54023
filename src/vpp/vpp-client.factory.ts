/**
 * Builds Apps and Books clients: for a token file being uploaded, and for a stored token (its sealed
 * sToken opened only for the call). Clients are cheap (no session), so none is cached.
 */
import { VppClient, type VppClientOptions } from '../apple/vpp-client';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import type { VppTokenEntity } from './vpp-token.entity';

export type VppClientTuning = Pick<VppClientOptions, 'timeoutMs' | 'retry' | 'sleep' | 'random' | 'fetch' | 'observe'>;

/** The SecretBox context of a VPP token's sToken: a sealed value cannot be moved to another row. */
export const vppTokenContext = (vppTokenId: string) => `vpp_token:${vppTokenId}:stoken`;

export function sealVppToken(box: SecretBox, vppTokenId: string, sToken: string): string {
  return box.seal(sToken, vppTokenContext(vppTokenId));
}

export class VppClientFactory {
  constructor(
    private readonly baseUrl: string,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly tuning: VppClientTuning = {},
  ) {}

  forSToken(sToken: string): VppClient {
    return new VppClient({ baseUrl: this.baseUrl, sToken, clock: this.clock, ...this.tuning });
  }

  forToken(token: Pick<VppTokenEntity, 'id' | 'tokenSealed'>): VppClient {
    return this.forSToken(this.box.open(token.tokenSealed, vppTokenContext(token.id)));
  }
}
