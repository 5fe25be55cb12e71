/** The OOBE rule against the repository's answer file and narrow edits of it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../host/fleet.ts';
import { oobeStopsAt } from './oobe.ts';

const real = readFileSync(join(REPOSITORY_ROOT, 'Windows', 'unattend.xml'), 'utf8');

describe('oobeStopsAt', () => {
  it("lets Windows/unattend.xml through OOBE", () => {
    assert.equal(oobeStopsAt(real), null);
  });

  it('stops on the region page when one locale setting is missing or empty', () => {
    assert.equal(oobeStopsAt(real.replace(/<UserLocale>[^<]*<\/UserLocale>/, '')), 'region-and-keyboard');
    assert.equal(oobeStopsAt(real.replace(/<UILanguage>[^<]*<\/UILanguage>/, '<UILanguage> </UILanguage>')), 'region-and-keyboard');
  });

  it('reads only the oobeSystem pass, and not inside comments', () => {
    const moved = real.replace('pass="oobeSystem"', 'pass="auditUser"');
    assert.equal(oobeStopsAt(moved), 'region-and-keyboard');
    assert.equal(oobeStopsAt(real.replace(/<UserAccounts>/, '<!--<UserAccounts>').replace(/<\/UserAccounts>/, '</UserAccounts>-->')), 'administrator-password');
  });

  it('stops on the license terms without HideEULAPage=true', () => {
    assert.equal(oobeStopsAt(real.replace('<HideEULAPage>true</HideEULAPage>', '<HideEULAPage>false</HideEULAPage>')), 'license-terms');
  });
});
