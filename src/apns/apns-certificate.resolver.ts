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
  ApnsCertificateRequest,
  CreateApnsCertificateRequestInput,
  CreateApnsCertificateRequestPayload,
  DeleteApnsCertificatePayload,
  ExportApnsCertificateInput,
  ExportApnsCertificatePayload,
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

  @Query(() => ApnsCertificateRequest, { nullable: true, description: 'The pending request for a new push certificate; null when none is pending (none made, used, replaced or expired)' })
  @RequireRole(Role.READER)
  async apnsCertificateRequest(@Ctx() ctx: RequestContext): Promise<ApnsCertificateRequest | null> {
    const request = await ctx.services.apnsCertificates.pendingRequest();
    return request ? ApnsCertificateRequest.from(request) : null;
  }

  @Mutation(() => CreateApnsCertificateRequestPayload, {
    description:
      "Generates a new RSA 2048 key (sealed at rest, never returned) and a CSR for a push certificate: with an MDM vendor certificate configured (APNS_VENDOR_CERTIFICATE), also the signed request Apple's Push Certificates Portal takes. Replaces the pending request. Keys without scope tags only",
  })
  @RequireRole(Role.ADMIN)
  async createApnsCertificateRequest(
    @Arg('input', () => CreateApnsCertificateRequestInput, { nullable: true }) input: CreateApnsCertificateRequestInput | null,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateApnsCertificateRequestPayload> {
    const request = await ctx.services.apnsCertificates.createRequest(input ?? {}, ctx.scope);
    return { apnsCertificateRequest: ApnsCertificateRequest.from(request) };
  }

  @Mutation(() => ApnsCertificatePayload, {
    description:
      'Stores the Apple MDM push certificate and its key (sealed at rest, never returned), or the certificate alone when Apple issued it for the pending apnsCertificateRequest (which it uses up). Keys without scope tags only; refused with APNS_CERTIFICATE_EXISTS when one is stored',
  })
  @RequireRole(Role.ADMIN)
  async uploadApnsCertificate(@Arg('input') input: UploadApnsCertificateInput, @Ctx() ctx: RequestContext): Promise<ApnsCertificatePayload> {
    const certificate = await ctx.services.apnsCertificates.upload(input, ctx.scope);
    return { apnsCertificate: toApnsCertificate(ctx, certificate) };
  }

  @Mutation(() => ApnsCertificatePayload, {
    description:
      "Replaces the certificate with its renewal from Apple's Push Certificates Portal (with its key, or alone when issued for the pending apnsCertificateRequest): refused with APNS_CERTIFICATE_TOPIC_MISMATCH unless the topic is the same",
  })
  @RequireRole(Role.ADMIN)
  async renewApnsCertificate(@Arg('input') input: RenewApnsCertificateInput, @Ctx() ctx: RequestContext): Promise<ApnsCertificatePayload> {
    const certificate = await ctx.services.apnsCertificates.renew(input, ctx.scope);
    return { apnsCertificate: toApnsCertificate(ctx, certificate) };
  }

  @Mutation(() => ExportApnsCertificatePayload, {
    description:
      'The push certificate with its private key as a password-protected PKCS#12, for the MDM server that pushes with it (the only way the key leaves depgate, encrypted). Keys without scope tags only',
  })
  @RequireRole(Role.ADMIN)
  async exportApnsCertificate(@Arg('input') input: ExportApnsCertificateInput, @Ctx() ctx: RequestContext): Promise<ExportApnsCertificatePayload> {
    const { pkcs12Base64, certificate } = await ctx.services.apnsCertificates.exportPkcs12(input.password, ctx.scope);
    return { pkcs12Base64, fileName: `${certificate.topic}.p12`, apnsCertificate: toApnsCertificate(ctx, certificate) };
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
