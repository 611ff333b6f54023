/** The SecretBox context of a webhook's signing secret: a sealed value cannot be moved to another row. */
export const webhookSecretContext = (webhookId: string) => `webhook:${webhookId}:secret`;
