/**
 * Plausible device records for the control API: bulk generation (200k in well under a second)
 * and completion of partial records.
 */
import type { DepDevice } from '../apple/dep.types';

interface FamilyDefaults {
  model: string;
  description: string;
  os: string;
}

const FAMILIES: Record<string, FamilyDefaults> = {
  iPhone: { model: 'iPhone 15', description: 'IPHONE 15 BLACK 128GB', os: 'iOS' },
  iPad: { model: 'iPad Air (5th generation)', description: 'IPAD AIR WI-FI 64GB SPACE GRAY', os: 'iPadOS' },
  iPod: { model: 'iPod touch', description: 'IPOD TOUCH 32GB', os: 'iOS' },
  Mac: { model: 'MacBook Air', description: 'MBA 13.6 M2 8C CPU 8C GPU 8GB 256GB', os: 'OSX' },
  AppleTV: { model: 'Apple TV 4K', description: 'APPLE TV 4K 64GB', os: 'tvOS' },
  Vision: { model: 'Apple Vision Pro', description: 'APPLE VISION PRO 256GB', os: 'visionOS' },
};

export interface DeviceTemplate {
  model?: string;
  os?: string;
  deviceFamily?: string;
  color?: string;
}

export interface Assignment {
  /** ISO time the device was assigned to the server. */
  assignedAt: string;
  assignedBy: string;
}

export function deviceRecord(serial: string, template: DeviceTemplate, assignment: Assignment): DepDevice {
  const family = template.deviceFamily ?? 'iPhone';
  const defaults = FAMILIES[family] ?? FAMILIES.iPhone;
  return {
    serial_number: serial,
    model: template.model ?? defaults.model,
    description: defaults.description,
    color: template.color ?? 'BLACK',
    os: template.os ?? defaults.os,
    device_family: family,
    profile_status: 'empty',
    device_assigned_date: assignment.assignedAt,
    device_assigned_by: assignment.assignedBy,
  };
}

/** A partial record from the control API, completed with defaults; its own fields win. */
export function completeRecord(partial: Partial<DepDevice> & { serial_number: string }, assignment: Assignment): DepDevice {
  const base = deviceRecord(
    partial.serial_number,
    { model: partial.model, os: partial.os, deviceFamily: partial.device_family, color: partial.color },
    assignment,
  );
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(partial)) {
    if (key === 'op_type' || key === 'op_date') continue;
    if (value !== undefined && value !== null) merged[key] = value;
  }
  return merged as unknown as DepDevice;
}

/** Serials are 12 upper-case alphanumerics like Apple's: prefix + base-36 counter. */
export function serialFor(prefix: string, counter: number): string {
  const digits = Math.max(4, 12 - prefix.length);
  return prefix + counter.toString(36).toUpperCase().padStart(digits, '0');
}
