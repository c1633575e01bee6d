/**
 * Parsing and checking of single environment variables. A parser returns the typed value when
 * the text is valid and its input unchanged otherwise, so the check after it rejects the raw
 * value; `undefined` stays `undefined` so the property's default applies.
 */
import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsNumber, IsOptional } from 'class-validator';
import { IsPositive, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import type { ValidationArguments } from 'class-validator';
import proxyAddr from 'proxy-addr';

/** Express `trust proxy` setting as parsed from `TRUST_PROXY`. */
export type TrustProxySetting = boolean | number | string[];

/**
 * `true`/`1` → `true`, `false`/`0` → `false` (case-insensitive); anything else is left as is.
 * @example parseBoolean('FALSE') // false
 */
export function parseBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (word === 'true' || word === '1') return true;
  if (word === 'false' || word === '0') return false;
  return value;
}

/**
 * Whole decimal numbers (`42`, `-1`) → number; `1.5`, `1e3`, `0x10` or words are left as is.
 * @example parseInteger('8080') // 8080
 */
export function parseInteger(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[+-]?\d+\s*$/.test(value)) return value;
  return Number(value);
}

/**
 * Plain decimal numbers (`5`, `0.5`) → number; anything else is left as is.
 * @example parseDecimal('2.5') // 2.5
 */
export function parseDecimal(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) return value;
  return Number(value);
}

/**
 * `TRUST_PROXY` with Express semantics: `true`/`false`, a hop count (so `1` is one hop, not
 * `true`), or a comma-separated list of IPs, CIDR subnets and the names `loopback`,
 * `linklocal`, `uniquelocal`, returned split and trimmed (checked by the validator).
 * @example parseTrustProxy('loopback, 10.0.0.0/8') // ['loopback', '10.0.0.0/8']
 */
export function parseTrustProxy(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (/^\d+$/.test(word)) return Number(word);
  return value.split(',').map((entry) => entry.trim());
}

function isTrustProxySetting(value: unknown): value is TrustProxySetting {
  if (typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string' && entry)) {
    return false;
  }
  try {
    proxyAddr.compile(value as string[]);
    return true;
  } catch {
    return false;
  }
}

function hasUrlScheme(value: unknown, schemes: readonly string[]): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  return schemes.includes(url.protocol) && url.host !== '';
}

const variableNames = new Map<string, string>();

/** The variable a property of the environment class is read from (see {@link Env}). */
export function variableName(property: string): string {
  return variableNames.get(property) ?? property;
}

function all(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}

/** Reads the property from the environment variable `name`. */
export function Env(name: string): PropertyDecorator {
  return (target, key) => {
    variableNames.set(String(key), name);
    Expose({ name })(target, key);
  };
}

/** A boolean: `true`, `false`, `1` or `0`, case-insensitive. */
export function Bool(): PropertyDecorator {
  const message = 'must be true, false, 1 or 0';
  return all(
    Transform(({ value }) => parseBoolean(value)),
    IsBoolean({ message }),
  );
}

/** An integer from `min` to `max`; without `max`, a positive integer. */
export function Int(min: number, max?: number): PropertyDecorator {
  const message =
    max !== undefined ? `must be an integer from ${min} to ${max}` : 'must be a positive integer';
  const checks = [IsInt({ message }), Min(min, { message })];
  if (max !== undefined) checks.push(Max(max, { message }));
  return all(
    Transform(({ value }) => parseInteger(value)),
    ...checks,
  );
}

/**
 * Optional, but set together with the property `other` (its partner's own decorator names this
 * one back): when either is set, this one must be too, so a pair set by halves stops start-up
 * with a line naming the missing variable. Replaces `IsOptional`.
 * @example `@Env('A') @SetTogetherWith('b') @Int(1) a?: number`
 */
export function SetTogetherWith(other: string): PropertyDecorator {
  return (target, key) => {
    const isSet = (env: object, property: string | symbol) =>
      (env as Record<string | symbol, unknown>)[property] !== undefined;
    ValidateIf((env: object) => isSet(env, key) || isSet(env, other))(target, key);
    IsDefined({ message: () => `must be set when ${variableName(other)} is set` })(target, key);
  };
}

/** A positive decimal number. */
export function PositiveNumber(): PropertyDecorator {
  const message = 'must be a positive number';
  const checks = [IsNumber({}, { message }), IsPositive({ message })];
  return all(
    Transform(({ value }) => parseDecimal(value)),
    ...checks,
  );
}

/** One of `values`, exactly. */
export function OneOf(values: readonly string[]): PropertyDecorator {
  return IsIn([...values], { message: `must be one of: ${values.join(', ')}` });
}

/** An optional URL with a host and one of `schemes` (`'redis:'`, …). */
export function Url(...schemes: string[]): PropertyDecorator {
  const message = `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`;
  const validator = { validate: (value: unknown) => hasUrlScheme(value, schemes) };
  return all(IsOptional(), ValidateBy({ name: 'hasUrlScheme', validator }, { message }));
}

/** A `TRUST_PROXY` setting (see {@link parseTrustProxy}). */
export function TrustProxy(): PropertyDecorator {
  const message =
    'must be true, false, a hop count, or a comma-separated list of IPs, CIDR subnets, ' +
    'loopback, linklocal or uniquelocal';
  const validator = { validate: isTrustProxySetting };
  const check = ValidateBy({ name: 'isTrustProxySetting', validator }, { message });
  return all(
    Transform(({ value }) => parseTrustProxy(value)),
    check,
  );
}

/** One `host:port` of a list, the host a name, an IPv4 address or a bracketed IPv6 one. */
export interface HostPort {
  host: string;
  port: number;
}

// Host names may hold `_` (Docker Compose service names do).
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/;

/**
 * A comma-separated list of `host:port` → `{ host, port }[]`, trimmed; left as is when any entry
 * is not one (an IPv6 host in brackets: `[::1]:7000`).
 * @example parseHostPorts('10.0.0.5:7000, [::1]:7001') // [{ host: '10.0.0.5', port: 7000 }, { host: '::1', port: 7001 }]
 */
export function parseHostPorts(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const entries = value.split(',').map((entry) => HOST_PORT.exec(entry.trim()));
  if (entries.some((match) => match === null || !(+match[3] >= 1 && +match[3] <= 65535)))
    return value;
  return entries.map((match) => ({ host: match![1] ?? match![2], port: Number(match![3]) }));
}

/** A comma-separated list of `host:port` (see {@link parseHostPorts}); add `IsOptional`. */
export function HostPorts(): PropertyDecorator {
  const message = 'must be a comma-separated list of host:port (an IPv6 host in brackets)';
  const validator = { validate: (value: unknown) => Array.isArray(value) };
  return all(
    Transform(({ value }) => parseHostPorts(value)),
    ValidateBy({ name: 'isHostPortList', validator }, { message }),
  );
}

/**
 * Never set together with the property `other`: when both are, start-up stops with a line naming
 * this variable and the other. Needs a check of its own for the value (`IsOptional` included).
 */
export function NotSetWith(other: string): PropertyDecorator {
  const validator = {
    validate: (_value: unknown, args?: ValidationArguments) =>
      (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
  };
  const message = () => `cannot be set with ${variableName(other)}`;
  return ValidateBy({ name: 'notSetWith', validator }, { message });
}
