/**
 * The OAuth 1.0a credentials held in a decrypted DEP server token (spec §1). Every value here is a
 * secret except `consumerKey` and `accessTokenExpiry`: never log them, never put them in an error.
 * Other folders (tokens/) build this from the decrypted `.p7m`; the names are a contract.
 */
export interface DepOAuthCredentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessSecret: string;
  /** RFC 3339 UTC, as in the token file. */
  accessTokenExpiry: string;
}

/** Maps the token file's snake_case JSON to {@link DepOAuthCredentials}. */
export function credentialsFromTokenJson(json: {
  consumer_key: string;
  consumer_secret: string;
  access_token: string;
  access_secret: string;
  access_token_expiry: string;
}): DepOAuthCredentials {
  return {
    consumerKey: json.consumer_key,
    consumerSecret: json.consumer_secret,
    accessToken: json.access_token,
    accessSecret: json.access_secret,
    accessTokenExpiry: json.access_token_expiry,
  };
}

/** The values that must never appear in logs or error messages. */
export function secretValues(credentials: DepOAuthCredentials): string[] {
  return [credentials.consumerSecret, credentials.accessToken, credentials.accessSecret].filter(
    (value) => value.length > 0,
  );
}
