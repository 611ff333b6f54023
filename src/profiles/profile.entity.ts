import { Column, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { DepProfile } from '../apple/dep.types';
import { ConfiguratorCertificateEntity } from './configurator-certificate.entity';

/** An enrollment profile of one token, and the Apple profile it was last defined as. */
@Entity({ name: 'enrollment_profiles' })
export class EnrollmentProfileEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'token_id', type: 'uuid' })
  tokenId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text', default: 'IOS' })
  platform: 'IOS' | 'MACOS' | 'TVOS' | 'VISIONOS';

  @Column({ name: 'user_affinity', type: 'text' })
  userAffinity: 'WITH_USER' | 'WITHOUT_USER';

  @Column({ name: 'authentication_method', type: 'text', nullable: true })
  authenticationMethod: 'COMPANY_PORTAL' | 'SETUP_ASSISTANT' | null;

  @Column({ name: 'install_company_portal', type: 'boolean', default: false })
  installCompanyPortal: boolean;

  @Column({ name: 'company_portal_vpp_token_id', type: 'uuid', nullable: true })
  companyPortalVppTokenId: string | null;

  @Column({ name: 'single_app_mode_until_authentication', type: 'boolean', default: false })
  singleAppModeUntilAuthentication: boolean;

  @Column({ type: 'boolean', default: true })
  supervised: boolean;

  @Column({ name: 'locked_enrollment', type: 'boolean', default: false })
  lockedEnrollment: boolean;

  @Column({ name: 'await_final_configuration', type: 'boolean', default: false })
  awaitFinalConfiguration: boolean;

  @Column({ name: 'sync_with_computers', type: 'text', default: 'DENY_ALL' })
  syncWithComputers: 'ALLOW_ALL' | 'DENY_ALL' | 'ALLOW_BY_CERTIFICATE';

  @Column({ name: 'device_name_template', type: 'text', nullable: true })
  deviceNameTemplate: string | null;

  @Column({ name: 'department_name', type: 'text', nullable: true })
  departmentName: string | null;

  @Column({ name: 'department_phone', type: 'text', nullable: true })
  departmentPhone: string | null;

  @Column({ name: 'hidden_setup_panes', type: 'text', array: true, default: () => `'{}'` })
  hiddenSetupPanes: string[];

  @Column({ type: 'text', nullable: true })
  language: string | null;

  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Column({ name: 'support_email_address', type: 'text', nullable: true })
  supportEmailAddress: string | null;

  @Column({ name: 'org_magic', type: 'text', nullable: true })
  orgMagic: string | null;

  @Column({ name: 'auto_advance_setup', type: 'boolean', default: false })
  autoAdvanceSetup: boolean;

  @Column({ name: 'configuration_web_url', type: 'text', nullable: true })
  configurationWebUrl: string | null;

  @Column({ name: 'multi_user', type: 'boolean', default: false })
  multiUser: boolean;

  /** Base64 DER, as Apple's `anchor_certs` takes them. */
  @Column({ name: 'anchor_certificates', type: 'text', array: true, default: () => `'{}'` })
  anchorCertificates: string[];

  @Column({ name: 'return_to_service', type: 'boolean', default: false })
  returnToService: boolean;

  @Column({ name: 'do_not_use_profile_from_backup', type: 'boolean', default: false })
  doNotUseProfileFromBackup: boolean;

  @Column({ name: 'apple_profile_uuid', type: 'text', nullable: true })
  appleProfileUuid: string | null;

  @Column({ name: 'apple_defined_at', type: 'timestamptz', precision: 3, nullable: true })
  appleDefinedAt: Date | null;

  /** The JSON last defined at Apple (null before the first definition, or from before the column). */
  @Column({ name: 'apple_definition', type: 'jsonb', nullable: true })
  appleDefinition: DepProfile | null;

  @ManyToMany(() => ConfiguratorCertificateEntity)
  @JoinTable({ name: 'enrollment_profile_certificates', joinColumn: { name: 'profile_id' }, inverseJoinColumn: { name: 'certificate_id' } })
  certificates?: ConfiguratorCertificateEntity[];

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
