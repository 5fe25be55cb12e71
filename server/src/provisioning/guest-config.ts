/**
 * The guest configuration document (Schemas/guest-config.json, DESIGN §5) and its validation.
 * Messages name the offending field by path and never echo a value (values may be secrets).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AppError } from '../errors.ts';
import schema from '../../../Schemas/guest-config.json' with { type: 'json' };

export interface GuestConfig {
  hostname?: string;
  localAdmin?: { username: string; password: string };
  network?: {
    /** The adapter the settings are for (Hyper-V's form, 12 upper-case hex digits). */
    macAddress?: string;
    ipv4?: { address: string; prefixLength: number; gateway: string };
    dns?: { servers?: string[]; searchSuffix?: string };
  };
  domainJoin?: { domain: string; username: string; password: string; ou?: string };
  users?: GuestUser[];
}

export interface GuestUser {
  name: string;
  fullName?: string;
  sshAuthorizedKeys?: string[];
  sudo?: boolean;
  password?: string;
}

export type GuestConfigCheck = { ok: true; config: GuestConfig } | { ok: false; errors: string[] };

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv, ['ipv4', 'ipv6']);
const validateSchema = ajv.compile<GuestConfig>(schema);

/** Human explanations of `pattern` / `anyOf` failures, by schema location. */
const FORMAT_HINTS: Array<[RegExp, string]> = [
  [/^#\/properties\/hostname\//, 'must be one DNS label: letters, digits and hyphens, 1-63 characters, no leading or trailing hyphen, not all digits'],
  [/^#\/\$defs\/accountName\//, "must start with a letter or '_' and contain only letters, digits, '_', '.', '-' (at most 32 characters)"],
  [/^#\/\$defs\/password\//, 'must be 1-256 characters without line breaks or NUL'],
  [/\/searchSuffix\//, 'must be a DNS domain name (labels of letters, digits and hyphens separated by dots)'],
  [/\/domainJoin\/properties\/domain\//, 'must be a DNS domain name'],
  [/\/servers\/items\//, 'must be an IPv4 or IPv6 address'],
  [/\/sshAuthorizedKeys\/items\//, 'must be one authorized_keys line: [options] <key type> <base64 key> [comment]'],
  [/\/fullName\//, 'must not contain control characters, colons or commas'],
  [/\/(?:ou|username)\//, 'must not contain control characters'],
];

function pathOf(instancePath: string): string {
  // "/users/0/name" → "users[0].name"
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`), '');
}

function describe(error: ErrorObject): string {
  const at = pathOf(error.instancePath);
  const subject = at === '' ? 'the guest configuration' : at;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = `${at === '' ? '' : `${at}.`}${String(params.missingProperty)}`;
      return at === '' ? `${missing} is required` : `${missing} is required when ${at} is given`;
    }
    case 'additionalProperties':
      return `${at === '' ? '' : `${at}.`}${String(params.additionalProperty)} is not a known field`;
    case 'type':
      return `${subject} must be ${params.type === 'integer' ? 'an integer' : `of type ${String(params.type)}`}`;
    case 'format':
      return `${subject} must be an ${String(params.format) === 'ipv4' ? 'IPv4' : 'IPv6'} address`;
    case 'minimum':
    case 'maximum':
      return `${subject} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`;
    case 'minLength':
      return `${subject} must not be empty`;
    case 'maxLength':
      return `${subject} must be at most ${String(params.limit)} characters`;
    case 'minItems':
      return `${subject} must have at least ${String(params.limit)} item(s)`;
    case 'maxItems':
      return `${subject} must have at most ${String(params.limit)} items`;
    case 'minProperties':
      return `${subject} must not be empty`;
    case 'uniqueItems':
      return `${subject} must not contain duplicates`;
    case 'pattern':
    case 'anyOf': {
      const hint = FORMAT_HINTS.find(([re]) => re.test(error.schemaPath))?.[1];
      return `${subject} ${hint ?? 'has an invalid format'}`;
    }
    default:
      return `${subject} is invalid (${error.keyword})`;
  }
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Rules across fields that the JSON Schema cannot state with a clear message. */
function semanticErrors(config: GuestConfig): string[] {
  const errors: string[] = [];
  const ipv4 = config.network?.ipv4;
  if (ipv4 && ipv4.prefixLength <= 30) {
    const size = 2 ** (32 - ipv4.prefixLength);
    const address = ipv4ToInt(ipv4.address);
    const network = Math.floor(address / size) * size;
    const gateway = ipv4ToInt(ipv4.gateway);
    if (address === network || address === network + size - 1) {
      errors.push(`network.ipv4.address is the network or broadcast address of its /${ipv4.prefixLength} subnet`);
    }
    if (Math.floor(gateway / size) * size !== network) {
      errors.push(`network.ipv4.gateway is not inside network.ipv4.address/${ipv4.prefixLength}`);
    } else if (gateway === address) {
      errors.push('network.ipv4.gateway must differ from network.ipv4.address');
    }
  }
  const seen = new Map<string, string>();
  if (config.localAdmin) seen.set(config.localAdmin.username.toLowerCase(), 'localAdmin.username');
  config.users?.forEach((user, i) => {
    const key = user.name.toLowerCase();
    const previous = seen.get(key);
    if (previous !== undefined) errors.push(`users[${i}].name duplicates ${previous}`);
    else seen.set(key, `users[${i}].name`);
    if ((user.sshAuthorizedKeys?.length ?? 0) === 0 && user.password === undefined) {
      errors.push(`users[${i}] needs sshAuthorizedKeys or a password`);
    }
  });
  return errors;
}

/** Validates a guest configuration: every shape problem, each once; cross-field rules once the shape is right. */
export function checkGuestConfig(value: unknown): GuestConfigCheck {
  if (!validateSchema(value)) {
    // One message per field: the first failed rule (e.g. "must not be empty" rather than also its pattern);
    // anyOf's own message replaces those of its failed branches.
    const all = validateSchema.errors ?? [];
    const byField = new Map<string, ErrorObject>();
    for (const e of all) {
      const params = e.params as Record<string, unknown>;
      const field = `${e.instancePath}|${String(params.missingProperty ?? params.additionalProperty ?? '')}`;
      const anyOf = all.find((o) => o.keyword === 'anyOf' && o.instancePath === e.instancePath);
      if (anyOf) byField.set(field, anyOf);
      else if (!byField.has(field)) byField.set(field, e);
    }
    return { ok: false, errors: [...new Set([...byField.values()].map(describe))] };
  }
  const errors = semanticErrors(value);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: value };
}

/** As checkGuestConfig, but throws GUEST_CONFIG_INVALID (details.errors lists every problem). */
export function assertGuestConfig(value: unknown): GuestConfig {
  const result = checkGuestConfig(value);
  if (!result.ok) {
    throw new AppError('GUEST_CONFIG_INVALID', `Guest configuration invalid: ${result.errors.join('; ')}`, {
      details: { errors: result.errors },
    });
  }
  return result.config;
}
