// Every column holding a SecretBox value, registered once, with the context its owning feature
// seals each row's value with. `npm run rotate-secret-key` re-seals exactly these; a test fails
// when an entity has a `*_sealed` column that is missing here. A feature adds its columns here.
import { apnsPrivateKeyContext, apnsRequestKeyContext } from '../apns/apns-certificate.service';
import { assertionContext, privateKeyContext as businessKeyContext } from '../apple-business/business-client.factory';
import type { SealedColumn } from '../crypto/secret-rotation';
import { credentialsContext } from '../tokens/dep-client.factory';
import { privateKeyContext } from '../tokens/token.service';
import { vppTokenContext } from '../vpp/vpp-client.factory';
import { webhookSecretContext } from '../webhooks/webhook.secret';

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'dep_token_key_pairs', column: 'private_key_sealed', context: privateKeyContext },
  { table: 'dep_tokens', column: 'credentials_sealed', context: credentialsContext },
  { table: 'vpp_tokens', column: 'token_sealed', context: vppTokenContext },
  { table: 'apns_certificates', column: 'private_key_sealed', context: apnsPrivateKeyContext },
  { table: 'apns_certificate_requests', column: 'private_key_sealed', context: apnsRequestKeyContext },
  { table: 'webhooks', column: 'secret_sealed', context: webhookSecretContext },
  { table: 'apple_business_accounts', column: 'private_key_sealed', context: businessKeyContext },
  { table: 'apple_business_accounts', column: 'assertion_sealed', context: assertionContext },
];
