import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../src/errors.ts';
import { SOC_MODULES } from '../../../src/openwb/simulator/catalog.ts';
import {
  configView,
  isSecretKey,
  maskConfiguration,
  mergeConfiguration,
  moduleView,
  parseModules,
} from '../../../src/vehicles/soc-modules.ts';

const modules = parseModules(SOC_MODULES);

describe('SoC module secrets', () => {
  it.each([
    'password',
    'token',
    'secret',
    'refresh_token',
    'access_token',
    'refreshToken',
    'client_secret',
    'pin',
    'akey',
    'sponsor_token',
    'api_key',
    'sessioncache',
    'PASSWORD',
  ])('%s is a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'user_id',
    'vin',
    'VIN',
    'client_id',
    'url',
    'soc_url',
    'region',
    'country',
    'calculate_soc',
    'tesla_ev_num',
    'entity_soc',
    'id',
    'vehicle_id',
    'spin_rate',
  ])('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it('masks every secret as { set } and lists them', () => {
    expect(
      maskConfiguration({ user_id: 'me', password: 'pw', pin: null, token: { refresh_token: 'r', access_token: null }, vin: 'V' }),
    ).toEqual({
      configuration: { user_id: 'me', password: { set: true }, pin: { set: false }, token: { set: true }, vin: 'V' },
      secrets: ['password', 'pin', 'token'],
    });
    expect(maskConfiguration({ token: { refresh_token: null, access_token: '' } }).configuration).toEqual({ token: { set: false } });
  });

  it('never shows a secret in a stored configuration or a module default', () => {
    const stored = {
      type: 'kia',
      name: 'Kia / Hyundai',
      official: false,
      configuration: { user_id: 'me', password: 'hunter2', pin: '1234', vin: null },
    };
    const view = configView(stored, modules);
    expect(JSON.stringify(view)).not.toMatch(/hunter2|1234/);
    expect(view).toEqual({
      type: 'kia',
      name: 'Kia / Hyundai',
      official: false,
      configuration: { user_id: 'me', password: { set: true }, pin: { set: true }, vin: null },
      secrets: ['password', 'pin'],
    });
    expect(moduleView(modules.find((m) => m.type === 'tesla')!).configuration).toEqual({ tesla_ev_num: 0, token: { set: false } });
  });

  it('lists openWB modules including "no module"', () => {
    expect(modules[0]).toMatchObject({ type: null, name: '- kein SoC Modul -' });
    expect(modules.map((m) => m.type)).toContain('manual');
    expect(() => parseModules(undefined)).toThrow(UnavailableError);
  });
});

describe('merging a SoC module change', () => {
  const stored = {
    type: 'kia',
    name: 'Kia / Hyundai',
    official: false,
    configuration: { user_id: 'me', password: 'hunter2', pin: '1234', vin: 'OLD' },
  };

  it('keeps secrets that are left out or sent back as { set: true }, takes the rest from the request', () => {
    expect(mergeConfiguration(modules, stored, { type: 'kia', configuration: { vin: 'NEW', pin: { set: true } } as never })).toEqual({
      type: 'kia',
      name: 'Kia / Hyundai',
      official: false,
      configuration: { user_id: 'me', password: 'hunter2', pin: '1234', vin: 'NEW' },
    });
  });

  it('replaces or clears a secret when one is sent', () => {
    const merged = mergeConfiguration(modules, stored, { type: 'kia', configuration: { password: 'new', pin: null } });
    expect(merged.configuration).toMatchObject({ password: 'new', pin: null });
  });

  it('starts from the defaults for another module type (no secret carried over)', () => {
    expect(mergeConfiguration(modules, stored, { type: 'leaf', configuration: { user_id: 'x' } })).toEqual({
      type: 'leaf',
      name: 'Nissan Leaf',
      official: false,
      configuration: { user_id: 'x', password: null, region: null },
    });
  });

  it('removes the module with type null', () => {
    expect(mergeConfiguration(modules, stored, { type: null })).toEqual({ type: null, configuration: {} });
  });

  it('merges nested objects (the Tesla token)', () => {
    const tesla = {
      type: 'tesla',
      configuration: { tesla_ev_num: 0, token: { refresh_token: 'r1', access_token: 'a1', expires_in: 10, created_at: 1 } },
    };
    expect(mergeConfiguration(modules, tesla, { type: 'tesla', configuration: { tesla_ev_num: 1 } }).configuration).toEqual({
      tesla_ev_num: 1,
      token: { refresh_token: 'r1', access_token: 'a1', expires_in: 10, created_at: 1 },
    });
    expect(
      mergeConfiguration(modules, tesla, { type: 'tesla', configuration: { token: { refresh_token: 'r2' } } }).configuration,
    ).toMatchObject({
      token: { refresh_token: 'r2', access_token: 'a1' },
    });
  });

  it.each([
    [{ type: 'nope' }, /offers no SoC module "nope"/],
    [{ type: 'kia', configuration: { colour: 'red' } }, /configuration.colour: not a setting of kia/],
    [{ type: 'manual', configuration: { reset_after_unplug: 'yes' } }, /expected a boolean/],
    [{ type: 'tesla', configuration: { tesla_ev_num: '1' } }, /expected a number/],
    [{ type: 'kia', configuration: { vin: { a: 1 } } }, /expected a text, number or boolean/],
    [{ type: 'tesla', configuration: { token: { foo: 'x' } } }, /token.foo: not a setting/],
    [{ type: 'kia', configuration: { vin: 'x'.repeat(2001) } }, /at most 2000/],
  ])('refuses %j', (update, message) => {
    expect(() => mergeConfiguration(modules, stored, update as never)).toThrow(message);
  });
});
