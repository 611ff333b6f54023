import { Ctx, FieldResolver, Mutation, Query, Resolver, Root, Arg } from 'type-graphql';
import { Alert } from '../alerts/alert.types';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { toGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import type { ApnsCertificateEntity } from './apns-certificate.entity';
import {
  ApnsCertificate,
  ApnsCertificatePayload,
  DeleteApnsCertificatePayload,
  RenewApnsCertificateInput,
  UploadApnsCertificateInput,
} from './apns-certificate.types';

export const toApnsCertificate = (ctx: Pick<RequestContext, 'services'>, entity: ApnsCertificateEntity) =>
  ApnsCertificate.from(entity, ctx.services.apnsCertificates.status(entity));

@Resolver(() => ApnsCertificate)
export class ApnsCertificateResolver {
  @Query(() => ApnsCertificate, { nullable: true, description: 'The Apple MDM push certificate; null until one is uploaded' })
  @RequireRole(Role.READER)
  async apnsCertificate(@Ctx() ctx: RequestContext): Promise<ApnsCertificate | null> {
    const certificate = await ctx.services.apnsCertificates.current();
    return certificate ? toApnsCertificate(ctx, certificate) : null;
  }

  @Mutation(() => ApnsCertificatePayload, {
    description: 'Stores the Apple MDM push certificate and its key (sealed at rest, never returned). Keys without scope tags only; refused with APNS_CERTIFICATE_EXISTS when one is stored',
  })
  @RequireRole(Role.ADMIN)
  async uploadApnsCertificate(@Arg('input') input: UploadApnsCertificateInput, @Ctx() ctx: RequestContext): Promise<ApnsCertificatePayload> {
    const certificate = await ctx.services.apnsCertificates.upload(input, ctx.scope);
    return { apnsCertificate: toApnsCertificate(ctx, certificate) };
  }

  @Mutation(() => ApnsCertificatePayload, {
    description: "Replaces the certificate with its renewal from Apple's Push Certificates Portal: refused with APNS_CERTIFICATE_TOPIC_MISMATCH unless the topic is the same",
  })
  @RequireRole(Role.ADMIN)
  async renewApnsCertificate(@Arg('input') input: RenewApnsCertificateInput, @Ctx() ctx: RequestContext): Promise<ApnsCertificatePayload> {
    const certificate = await ctx.services.apnsCertificates.renew(input, ctx.scope);
    return { apnsCertificate: toApnsCertificate(ctx, certificate) };
  }

  @Mutation(() => DeleteApnsCertificatePayload, { description: 'Deletes the push certificate (to start over with a new topic: every device must then re-enroll)' })
  @RequireRole(Role.ADMIN)
  async deleteApnsCertificate(@Ctx() ctx: RequestContext): Promise<DeleteApnsCertificatePayload> {
    const id = await ctx.services.apnsCertificates.delete(ctx.scope);
    return { deletedApnsCertificateId: toGlobalId('ApnsCertificate', id) };
  }
}

@Resolver(() => Alert)
export class AlertApnsCertificateResolver {
  @FieldResolver(() => ApnsCertificate, { nullable: true, description: 'The push certificate an APNS_CERT_* alert is about (null for other kinds, or once deleted)' })
  async apnsCertificate(@Root() alert: Alert, @Ctx() ctx: RequestContext): Promise<ApnsCertificate | null> {
    if (!alert.apnsCertificateRowId) return null;
    const certificate = await ctx.loaders.apnsCertificateById.load(alert.apnsCertificateRowId);
    return certificate ? toApnsCertificate(ctx, certificate) : null;
  }
}

registerNodeType('ApnsCertificate', async (ctx, ids) => {
  const certificates = await ctx.loaders.apnsCertificateById.loadMany(ids);
  return certificates.map((c) => (c && !(c instanceof Error) ? toApnsCertificate(ctx, c) : null));
});
